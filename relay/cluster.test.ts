import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      const url = await createTestDatabase(pg.url, 'relay_cluster_test');
      vrs = new FakeVrs({ relayPublicKey: relayKey, municipalities: MUNICIPALITIES });
      await vrs.listen();
      const env = (i: number) => {
        const dir = mkdtempSync(join(tmpdir(), `relay-cluster-${i}-`));
        dirs.push(dir);
        return {
          DATABASE_URL: url,
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
  },
);
