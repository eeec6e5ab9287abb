import pgLib from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  postgresUnavailableReason,
  startTestPostgres,
  type TestPostgres,
} from '../../common/testing/postgres.js';
import { OUTAGE_GRACE_MS } from '../store/operator-cache.js';
import { startTestRelay, waitUntil, type TestRelay } from '../testing/harness.js';

/**
 * Issue 13: during a database outage an operator still sees the relay's status (read-only, with "database
 * unreachable"), while a disabled or revoked operator does not, and nobody changes anything. A real
 * PostgreSQL; the relay logs in as its own role, so the test cuts it off the database (role refused, every
 * connection terminated) and lets it back, as a failed database or a cut line would.
 */
const reason = postgresUnavailableReason();
const ORIGIN = 'http://127.0.0.1:9';
let pg: TestPostgres | undefined;
let admin: pgLib.Client;
let t: TestRelay;
let clock = Date.now();

async function cut(): Promise<void> {
  await admin.query('ALTER ROLE relay_dash NOLOGIN');
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'relay_dash'`);
}
async function restore(): Promise<void> {
  await admin.query('ALTER ROLE relay_dash LOGIN');
}

const req = (path: string, headers: Record<string, string>, init: RequestInit = {}) =>
  t.relay.ops.request(`${ORIGIN}${path}`, { ...init, headers: { origin: ORIGIN, ...headers } });

async function login(name: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const res = await req(
    '/auth/login',
    { 'content-type': 'application/json' },
    { method: 'POST', body: JSON.stringify({ name, password }) },
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { csrf: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: body.csrf };
}

const status = async (headers: Record<string, string>) => {
  const res = await req('/api/status', headers);
  return {
    status: res.status,
    body: (await res.json()) as {
      code?: string;
      degraded?: boolean;
      database?: { reachable: boolean };
      sessions?: number;
    },
  };
};

describe.skipIf(reason !== undefined)(
  `the operations API during a database outage${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    beforeAll(async () => {
      pg = await startTestPostgres();
      const url = await createTestDatabase(pg.url, 'relay_dash_outage');
      admin = new pgLib.Client({ connectionString: url });
      await admin.connect();
      await admin.query(
        `DO $$ BEGIN CREATE ROLE relay_dash LOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
      const u = new URL(url);
      u.username = 'relay_dash';
      t = await startTestRelay({ dbUrl: u.toString() }, {}, undefined, { now: () => clock });
      await t.relay.operators.add('alice', 'admin', 'alice-password-123', 'test');
      await t.relay.operators.add('victor', 'viewer', 'victor-password-123', 'test');
      await t.relay.operators.add('olga', 'operator', 'olga-password-123', 'test');
    }, 180_000);
    afterAll(async () => {
      await restore().catch(() => undefined);
      await t?.stop();
      await admin?.end().catch(() => undefined);
      await pg?.stop();
    });

    it('shows status read-only with "database unreachable"; a revoked operator gets nothing; then recovers', async () => {
      const alice = await login('alice', 'alice-password-123');
      const victor = await login('victor', 'victor-password-123');
      const olga = await login('olga', 'olga-password-123');
      const token = (await t.relay.operators.createToken('olga', 'script', 'test'))!;
      const bearer = { authorization: `Bearer ${token}` };
      for (const h of [{ cookie: alice.cookie }, { cookie: victor.cookie }, { cookie: olga.cookie }, bearer])
        expect((await status(h)).body).toMatchObject({ degraded: false, database: { reachable: true } });

      // Victor is disabled on this process; Olga's access is taken away on "another process" (its notice
      // arrives over the cluster channel like any other process's).
      const disable = await req(
        '/api/operators/victor/disable',
        { cookie: alice.cookie, 'x-csrf-token': alice.csrf },
        { method: 'POST' },
      );
      expect(disable.status).toBe(200);
      await admin.query(`SELECT pg_notify('relay_cluster', $1)`, [
        JSON.stringify({ type: 'operator', name: 'olga' }),
      ]);
      await waitUntil(() => t.relay.operators.verified.size === 1); // alice only

      await cut();
      await waitUntil(
        async () => (await status({ cookie: alice.cookie })).body.database?.reachable === false,
      );
      const down = await status({ cookie: alice.cookie });
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ degraded: true, database: { reachable: false } });
      expect(typeof down.body.sessions).toBe('number');

      // Revoked before the outage: refused, whatever their session or token.
      for (const h of [{ cookie: victor.cookie }, { cookie: olga.cookie }, bearer]) {
        const r = await status(h);
        expect(r.status).toBe(503);
        expect(r.body.code).toBe('RELAY_DB_UNAVAILABLE');
      }
      // No change while the database is away, even for an admin.
      const stop = await req(
        '/api/stops',
        { cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'content-type': 'application/json' },
        { method: 'POST', body: JSON.stringify({ scope: 'fleet', reason: 'x' }) },
      );
      expect(stop.status).toBe(503);
      expect(((await stop.json()) as { code: string }).code).toBe('RELAY_DB_UNAVAILABLE');
      // The session page still answers (the dashboard can load), from memory.
      expect((await req('/auth/session', { cookie: alice.cookie })).status).toBe(200);

      // The stated bound: not beyond OUTAGE_GRACE_MS after the last check against the database.
      clock += OUTAGE_GRACE_MS + 1;
      expect((await status({ cookie: alice.cookie })).status).toBe(503);
      clock -= OUTAGE_GRACE_MS + 1;

      await restore();
      await waitUntil(async () => {
        const r = await status({ cookie: alice.cookie });
        return r.status === 200 && r.body.database?.reachable === true && r.body.degraded === false;
      }, 30_000);
      expect((await status({ cookie: victor.cookie })).status).toBe(401);
      const ok = await req(
        '/api/stops',
        { cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'content-type': 'application/json' },
        { method: 'POST', body: JSON.stringify({ scope: '131016', reason: 'after the outage' }) },
      );
      expect(ok.status).toBe(200);
    });
  },
);
