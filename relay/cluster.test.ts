import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pgLib from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import {
  createTestDatabase,
  postgresUnavailableReason,
  startTestPostgres,
  type TestPostgres,
} from '../common/testing/postgres.js';
import { generateIdentity, identityFromSeed, keyId } from '../protocol/index.js';
import { FakeVrs } from './testing/fake-vrs.js';
import { MUNICIPALITIES, waitUntil } from './testing/harness.js';
import { spawnRelay, type RelayProcess } from './testing/spawn-relay.js';
import { TestKiosk } from './testing/test-kiosk.js';

const reason = postgresUnavailableReason();
const TOKEN = 'cluster-test-token-0123456789';
const SEED = Buffer.alloc(32, 11).toString('base64');
const relayKey = identityFromSeed(new Uint8Array(Buffer.from(SEED, 'base64')), nodeCrypto).publicKey;

let pg: TestPostgres | undefined;
let vrs: FakeVrs;
let a: RelayProcess;
let b: RelayProcess;
let url: string;
let admin: pgLib.Client;
const dirs: string[] = [];

const ops = async (r: RelayProcess, path: string, init: RequestInit = {}) => {
  const res = await fetch(r.info.ops + path, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe.skipIf(reason !== undefined)(
  `two relay processes sharing one PostgreSQL${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    beforeAll(async () => {
      pg = await startTestPostgres();
      url = await createTestDatabase(pg.url, 'relay_cluster_test');
      // Process B logs in as its own role, so a test can cut B alone off the database.
      admin = new pgLib.Client({ connectionString: url });
      await admin.connect();
      await admin.query(
        `DO $$ BEGIN CREATE ROLE relay_b LOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
      const urlB = new URL(url);
      urlB.username = 'relay_b';
      vrs = new FakeVrs({ relayPublicKey: relayKey, municipalities: MUNICIPALITIES });
      await vrs.listen();
      const env = (i: number) => {
        const dir = mkdtempSync(join(tmpdir(), `relay-cluster-${i}-`));
        dirs.push(dir);
        return {
          DATABASE_URL: i === 2 ? urlB.toString() : url,
          // The tests' refused connects all come from 127.0.0.1: no source ban in the middle of them.
          RELAY_IDS: JSON.stringify({ sourceFailuresPerMinute: 1000 }),
          RELAY_STATE_DIR: dir,
          RELAY_OPS_TOKEN: TOKEN,
          RELAY_IDENTITY_SEED: SEED,
          RELAY_VRS_ENDPOINTS: JSON.stringify([{ url: vrs.url, identityPublicKey: vrs.publicKey }]),
          LOG_LEVEL: 'warn',
        };
      };
      [a, b] = await Promise.all([spawnRelay(env(1)), spawnRelay(env(2))]);
    }, 120_000);

    afterAll(async () => {
      await admin?.end().catch(() => undefined);
      await a?.stop();
      await b?.stop();
      await vrs?.close();
      await pg?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it('enrolls on one process and connects to the other; requests flow through both', async () => {
      const code = (await ops(a, '/api/enrollment-codes', { method: 'POST', body: '{}' })).body[
        'code'
      ] as string;
      const identity = generateIdentity(nodeCrypto);
      const res = await fetch(b.info.enroll, {
        method: 'POST',
        body: JSON.stringify({ code, publicKey: keyId(identity.publicKey) }),
      });
      expect(res.status).toBe(200);
      // Process A learns of the enrollment through NOTIFY.
      let conn: Awaited<ReturnType<typeof TestKiosk.connect>> | undefined;
      await waitUntil(async () => {
        conn = await TestKiosk.connect(a.info.kiosk, relayKey, { identity });
        return conn.ok;
      });
      if (!conn?.ok) throw new Error('unreachable');
      const r = await conn.kiosk.request(vrs.box.publicKey, '131016');
      expect(r.opened?.ok).toBe(true);
      conn.kiosk.close();
    });

    it('a kiosk that reconnects to the other process loses its old session there', async () => {
      const identity = generateIdentity(nodeCrypto);
      const code = (await ops(b, '/api/enrollment-codes', { method: 'POST', body: '{}' })).body[
        'code'
      ] as string;
      await fetch(b.info.enroll, {
        method: 'POST',
        body: JSON.stringify({ code, publicKey: keyId(identity.publicKey) }),
      });
      await new Promise((r) => setTimeout(r, 300));
      const onA = await TestKiosk.connect(a.info.kiosk, relayKey, { identity });
      if (!onA.ok) throw new Error(`refused ${onA.code}`);
      await onA.kiosk.heartbeat(1);
      const onB = await TestKiosk.connect(b.info.kiosk, relayKey, { identity });
      if (!onB.ok) throw new Error(`refused ${onB.code}`);
      await onB.kiosk.heartbeat(1);
      await onA.kiosk.closed;
      expect(onA.kiosk.closeCode).toBe(4409);
      expect((await onB.kiosk.request(vrs.box.publicKey, '271004')).opened?.ok).toBe(true);
      onB.kiosk.close();
    });

    it('revocation on one process closes the session on the other at once', async () => {
      const identity = generateIdentity(nodeCrypto);
      const code = (await ops(a, '/api/enrollment-codes', { method: 'POST', body: '{}' })).body[
        'code'
      ] as string;
      await fetch(a.info.enroll, {
        method: 'POST',
        body: JSON.stringify({ code, publicKey: keyId(identity.publicKey) }),
      });
      let conn: Awaited<ReturnType<typeof TestKiosk.connect>> | undefined;
      await waitUntil(async () => {
        conn = await TestKiosk.connect(b.info.kiosk, relayKey, { identity });
        return conn.ok;
      });
      if (!conn?.ok) throw new Error('unreachable');
      await conn.kiosk.heartbeat(1);
      const rev = await ops(a, `/api/kiosks/${keyId(identity.publicKey)}/revoke`, {
        method: 'POST',
        body: JSON.stringify({ reason: 'test' }),
      });
      expect(rev.status).toBe(200);
      await conn.kiosk.closed;
      expect(conn.kiosk.closeCode).toBe(4403);
      expect(await TestKiosk.connect(b.info.kiosk, relayKey, { identity })).toEqual({
        ok: false,
        status: 403,
        code: 'RELAY_KIOSK_REVOKED',
      });
    });

    it('the kill switch on one process stops issuance on the other; the shared audit chain verifies', async () => {
      const identity = generateIdentity(nodeCrypto);
      const code = (await ops(a, '/api/enrollment-codes', { method: 'POST', body: '{}' })).body[
        'code'
      ] as string;
      await fetch(a.info.enroll, {
        method: 'POST',
        body: JSON.stringify({ code, publicKey: keyId(identity.publicKey) }),
      });
      let conn: Awaited<ReturnType<typeof TestKiosk.connect>> | undefined;
      await waitUntil(async () => {
        conn = await TestKiosk.connect(b.info.kiosk, relayKey, { identity });
        return conn.ok;
      });
      if (!conn?.ok) throw new Error('unreachable');
      const k = conn.kiosk;
      await k.heartbeat(1);
      expect(
        (
          await ops(a, '/api/stops', {
            method: 'POST',
            body: JSON.stringify({ scope: 'fleet', reason: 'drill' }),
          })
        ).status,
      ).toBe(200);
      await waitUntil(() => k.notices.some((n) => n.code === 'RELAY_ISSUANCE_STOPPED'));
      expect((await k.request(vrs.box.publicKey, '131016')).reply).toMatchObject({
        code: 'RELAY_ISSUANCE_STOPPED',
      });
      expect((await ops(b, '/api/stops/fleet', { method: 'DELETE' })).status).toBe(200);
      await waitUntil(() => k.notices.some((n) => n.code === 'RELAY_ISSUANCE_RESUMED'));
      // Requests through both processes at once append to one chain.
      const other = await (async () => {
        const id2 = generateIdentity(nodeCrypto);
        const c2 = (await ops(b, '/api/enrollment-codes', { method: 'POST', body: '{}' })).body[
          'code'
        ] as string;
        await fetch(b.info.enroll, {
          method: 'POST',
          body: JSON.stringify({ code: c2, publicKey: keyId(id2.publicKey) }),
        });
        let c: Awaited<ReturnType<typeof TestKiosk.connect>> | undefined;
        await waitUntil(async () => {
          c = await TestKiosk.connect(a.info.kiosk, relayKey, { identity: id2 });
          return c.ok;
        });
        if (!c?.ok) throw new Error('unreachable');
        return c.kiosk;
      })();
      const all = await Promise.all([
        ...Array.from({ length: 10 }, () => k.request(vrs.box.publicKey, '131016')),
        ...Array.from({ length: 10 }, () => other.request(vrs.box.publicKey, '271004')),
      ]);
      expect(all.every((r) => r.opened?.ok)).toBe(true);
      const v1 = await ops(a, '/api/audit/verify');
      const v2 = await ops(b, '/api/audit/verify');
      expect(v1.body).toMatchObject({ ok: true });
      expect(v2.body).toEqual(v1.body);
      k.close();
      other.close();
    });
    const status = async (r: RelayProcess) =>
      (await ops(r, '/api/status')).body['cluster'] as
        { mode: string; synced: boolean; resyncs: number; gaps: number; staleSeconds: number } | undefined;

    /** Enrolls a new kiosk through A and opens its session on `r` (once `r` has heard of it). */
    const sessionOn = async (r: RelayProcess) => {
      const identity = generateIdentity(nodeCrypto);
      const code = (await ops(a, '/api/enrollment-codes', { method: 'POST', body: '{}' })).body[
        'code'
      ] as string;
      await fetch(a.info.enroll, {
        method: 'POST',
        body: JSON.stringify({ code, publicKey: keyId(identity.publicKey) }),
      });
      let conn: Awaited<ReturnType<typeof TestKiosk.connect>> | undefined;
      await waitUntil(async () => {
        conn = await TestKiosk.connect(r.info.kiosk, relayKey, { identity });
        return conn.ok;
      });
      if (!conn?.ok) throw new Error('unreachable');
      await conn.kiosk.heartbeat(1);
      return { identity, kiosk: conn.kiosk };
    };

    let cutOff = false;
    afterEach(async () => {
      if (cutOff) await admin.query('ALTER ROLE relay_b LOGIN');
      cutOff = false;
    });

    it('a relay whose LISTEN connection is killed refuses new sessions until it has reloaded; a kiosk revoked meanwhile is refused by both', async () => {
      expect(await status(b)).toMatchObject({ mode: 'postgres', synced: true });
      const k = await sessionOn(b);
      const bystander = generateIdentity(nodeCrypto);
      // B is cut off: its LISTEN connection is terminated and it cannot log in again for now.
      await admin.query('ALTER ROLE relay_b NOLOGIN');
      cutOff = true;
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'relay_b' AND application_name LIKE '%-listen'`,
      );
      expect(killed.rowCount).toBe(1);
      // B's operations API authenticates operators in the database, which B cannot reach now: its own log
      // line says it noticed.
      await waitUntil(() => b.stderr.some((l) => l.includes('cluster.unsynced')));
      // B says why it refuses: new sessions and requests alike.
      expect(await TestKiosk.connect(b.info.kiosk, relayKey, { identity: bystander })).toEqual({
        ok: false,
        status: 503,
        code: 'RELAY_CLUSTER_UNSYNCED',
      });
      // Refused, audited first: with B's pool still connected the code says why; once its pooled
      // connections have gone too, the audit record cannot be written and that is what it says.
      const refused = (await k.kiosk.request(vrs.box.publicKey, '131016')).reply;
      expect(refused).toMatchObject({ type: 'issue.error' });
      expect(['RELAY_CLUSTER_UNSYNCED', 'RELAY_AUDIT_UNAVAILABLE']).toContain(
        (refused as { code?: string }).code,
      );

      // Revoked on A while B hears nothing.
      const kioskId = keyId(k.identity.publicKey);
      expect(
        (
          await ops(a, `/api/kiosks/${kioskId}/revoke`, {
            method: 'POST',
            body: JSON.stringify({ reason: 'stolen' }),
          })
        ).status,
      ).toBe(200);
      expect(await TestKiosk.connect(a.info.kiosk, relayKey, { identity: k.identity })).toMatchObject({
        code: 'RELAY_KIOSK_REVOKED',
      });
      expect(k.kiosk.closeCode).toBeUndefined();

      // B gets back in, reloads, closes the revoked kiosk's session and refuses it.
      await admin.query('ALTER ROLE relay_b LOGIN');
      cutOff = false;
      await k.kiosk.closed;
      expect(k.kiosk.closeCode).toBe(4403);
      await waitUntil(async () => (await status(b))?.synced === true, 20_000);
      expect(await status(b)).toMatchObject({ synced: true, staleSeconds: 0 });
      expect((await status(b))?.resyncs).toBeGreaterThanOrEqual(1);
      const metricsB = await (
        await fetch(`${b.info.ops}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).text();
      expect(metricsB).toMatch(/^relay_cluster_synced 1$/m);
      expect(metricsB).toMatch(/^relay_cluster_resyncs_total [1-9]/m);
      expect(metricsB).toMatch(/^relay_cluster_stale_seconds 0$/m);
      expect(await TestKiosk.connect(b.info.kiosk, relayKey, { identity: k.identity })).toEqual({
        ok: false,
        status: 403,
        code: 'RELAY_KIOSK_REVOKED',
      });
      const alerts = (await ops(b, '/api/alerts')).body['alerts'] as Array<{ kind: string }>;
      expect(alerts.some((x) => x.kind === 'cluster-unsynced')).toBe(true);
    }, 90_000);

    it('after a PostgreSQL restart, a kiosk revoked on one relay is refused by both and loses its session on the other', async () => {
      if (pg?.restart === undefined) return; // a server given by TEST_DATABASE_URL is not ours to restart
      const k = await sessionOn(b);
      const kioskId = keyId(k.identity.publicKey);
      const started = async () =>
        String((await admin.query('SELECT pg_postmaster_start_time() AS t')).rows[0]?.t);
      const before = await started();
      admin.on('error', () => undefined);
      await pg.restart();
      admin = new pgLib.Client({ connectionString: url });
      await admin.connect();
      expect(await started()).not.toBe(before); // a real restart: every connection was cut
      // A revokes as soon as the database takes it (its pool's old connections died with the server).
      await waitUntil(
        async () =>
          (
            await ops(a, `/api/kiosks/${kioskId}/revoke`, {
              method: 'POST',
              body: JSON.stringify({ reason: 'stolen' }),
            })
          ).status === 200,
        30_000,
      );
      await waitUntil(() => k.kiosk.closeCode !== undefined, 30_000);
      expect(k.kiosk.closeCode).toBe(4403);
      for (const r of [a, b]) {
        await waitUntil(async () => (await status(r))?.synced === true, 20_000);
        expect(await TestKiosk.connect(r.info.kiosk, relayKey, { identity: k.identity })).toEqual({
          ok: false,
          status: 403,
          code: 'RELAY_KIOSK_REVOKED',
        });
      }
      // And the cluster still works: a new kiosk enrolled on A is served by B.
      const fresh = await sessionOn(b);
      expect((await fresh.kiosk.request(vrs.box.publicKey, '131016')).opened?.ok).toBe(true);
      fresh.kiosk.close();
    }, 120_000);
  },
);
