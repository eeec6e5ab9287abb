import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../common/db.js';
import { createLogger } from '../common/log.js';
import { nodeCrypto } from '../common/crypto-node.js';
import {
  createTestDatabase,
  postgresUnavailableReason,
  startTestPostgres,
  type TestPostgres,
} from '../common/testing/postgres.js';
import { identityFromSeed, keyId } from '../protocol/index.js';
import vectors from '../protocol/vectors/protocol-v1.json' with { type: 'json' };
import type { RelayOptionsInput } from './config.js';
import { startRelay, type Relay } from './relay.js';
import { migrate } from './store/schema.js';
import { FakeVrs } from './testing/fake-vrs.js';
import { MUNICIPALITIES } from './testing/harness.js';
import { TopologyError, checkCluster, publishedTestKeys } from './topology.js';

const quiet = () => createLogger('relay', () => undefined);
const randomSeed = () => randomBytes(32).toString('base64');
const keyOf = (seed: string) =>
  keyId(identityFromSeed(new Uint8Array(Buffer.from(seed, 'base64')), nodeCrypto).publicKey);

const dirs: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'relay-topology-'));
  dirs.push(d);
  return d;
};

async function fakeVrs(seed: string): Promise<FakeVrs> {
  const vrs = new FakeVrs({
    relayPublicKey: identityFromSeed(new Uint8Array(Buffer.from(seed, 'base64')), nodeCrypto).publicKey,
    municipalities: MUNICIPALITIES,
  });
  await vrs.listen();
  cleanups.push(() => vrs.close());
  return vrs;
}

async function start(input: RelayOptionsInput): Promise<Relay> {
  const relay = await startRelay(input, { log: quiet() });
  cleanups.push(() => relay.stop());
  return relay;
}

/** Starts a relay that must refuse; returns the codes, and the alerts it left in its (embedded) database. */
async function refusal(input: RelayOptionsInput): Promise<{ codes: string[]; alerts: string[] }> {
  const err = await startRelay(input, { log: quiet() }).then(
    (r) => {
      cleanups.push(() => r.stop());
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TopologyError);
  const codes = (err as TopologyError).problems.map((p) => p.code);
  const db = await openDb({ dataDir: join(input.stateDir, 'db') });
  try {
    const r = await db.query<{ kind: string; severity: string; detail: { code?: string } }>(
      `SELECT kind, severity, detail FROM relay_alerts WHERE kind = 'topology' ORDER BY id`,
    );
    return { codes, alerts: r.rows.map((a) => `${a.severity}:${a.detail.code ?? ''}`) };
  } finally {
    await db.close();
  }
}

describe(
  'routes: each municipality of the routing table is served by the endpoint it names',
  { timeout: 120_000 },
  () => {
    it('refuses to start when the endpoint, asked, does not serve a routed municipality; alert raised', async () => {
      const seed = randomSeed();
      const vrs = await fakeVrs(seed);
      const r = await refusal({
        stateDir: tempDir(),
        identitySeed: seed,
        // 011002 (Sapporo) is routed to an endpoint that serves Chiyoda and Osaka only.
        vrsEndpoints: [
          { url: vrs.url, identityPublicKey: vrs.publicKey, municipalities: ['131016', '011002'] },
        ],
      });
      expect(r.codes).toEqual(['RELAY_TOPOLOGY_ROUTE_MISMATCH']);
      expect(r.alerts).toEqual(['critical:RELAY_TOPOLOGY_ROUTE_MISMATCH']);
    });

    it('starts when every routed municipality is served', async () => {
      const seed = randomSeed();
      const vrs = await fakeVrs(seed);
      const relay = await start({
        stateDir: tempDir(),
        identitySeed: seed,
        vrsEndpoints: [{ url: vrs.url, identityPublicKey: vrs.publicKey, municipalities: ['131016'] }],
      });
      expect(relay.router.list()).toEqual(['131016']);
    });

    it('starts with a warning alert when an endpoint does not answer in time (its routes unchecked)', async () => {
      const seed = randomSeed();
      const vrs = await fakeVrs(seed);
      await vrs.close(); // nothing listens on that address any more
      const relay = await start({
        stateDir: tempDir(),
        identitySeed: seed,
        topology: { vrsWaitMs: 300 },
        vrsEndpoints: [{ url: vrs.url, identityPublicKey: vrs.publicKey, municipalities: ['131016'] }],
      });
      const alerts = await relay.control.alerts.list({});
      expect(alerts.filter((a) => a.kind === 'topology').map((a) => [a.severity, a.detail['code']])).toEqual([
        ['warning', 'RELAY_TOPOLOGY_VRS_UNCHECKED'],
      ]);
    });
  },
);

describe('production mode (RELAY_MODE=production)', { timeout: 120_000 }, () => {
  it('the published test keys include the repository tests’ repeated-byte seeds and the protocol vectors', () => {
    const keys = publishedTestKeys(nodeCrypto);
    expect(keys.has(keyOf(Buffer.alloc(32, 7).toString('base64')))).toBe(true);
    expect(keys.has(vectors.identities.relayPublicKey)).toBe(true);
    expect(keys.has(keyOf(randomSeed()))).toBe(false);
  });

  it('refuses a published test key as the relay identity', async () => {
    const seed = Buffer.alloc(32, 7).toString('base64');
    const vrs = await fakeVrs(seed);
    const r = await refusal({
      stateDir: tempDir(),
      identitySeed: seed,
      mode: 'production',
      vrsEndpoints: [{ url: vrs.url, identityPublicKey: vrs.publicKey }],
    });
    expect(r.codes).toEqual(['RELAY_TOPOLOGY_TEST_KEY']);
    expect(r.alerts).toEqual(['critical:RELAY_TOPOLOGY_TEST_KEY']);
  });

  it('refuses a published test key pinned for a VRS endpoint', async () => {
    const seed = randomSeed();
    const vrs = await fakeVrs(seed);
    const r = await refusal({
      stateDir: tempDir(),
      identitySeed: seed,
      mode: 'production',
      vrsEndpoints: [{ url: vrs.url, identityPublicKey: vectors.identities.relayPublicKey }],
    });
    expect(r.codes).toEqual(['RELAY_TOPOLOGY_TEST_KEY']);
  });

  it('refuses the demo admin; starts once it is disabled; development mode does not check', async () => {
    const seed = randomSeed();
    const vrs = await fakeVrs(seed);
    const stateDir = tempDir();
    const base = {
      stateDir,
      identitySeed: seed,
      vrsEndpoints: [{ url: vrs.url, identityPublicKey: vrs.publicKey }],
    };
    const dev = await startRelay(base, { log: quiet() });
    await dev.operators.add('demo-admin', 'admin', randomBytes(18).toString('base64url'), 'npm-start', true);
    await dev.stop();
    const r = await refusal({ ...base, mode: 'production' });
    expect(r.codes).toEqual(['RELAY_TOPOLOGY_DEMO_ADMIN']);
    const again = await startRelay(base, { log: quiet() });
    await again.operators.disable('demo-admin', 'test');
    await again.stop();
    const prod = await start({ ...base, mode: 'production' });
    expect(prod.info.identityPublicKey).toBe(keyOf(seed));
  });
});

describe(
  'cluster: relays on one database agree on configuration and schema version',
  { timeout: 120_000 },
  () => {
    async function db() {
      const d = await openDb({ dataDir: join(tempDir(), 'db') });
      cleanups.push(() => d.close());
      await migrate(d);
      return d;
    }
    const live = (d: Awaited<ReturnType<typeof db>>, id: string, at = Date.now()) =>
      d.query(`INSERT INTO relay_processes (id, at, sample) VALUES ($1, $2, '{}'::jsonb)`, [
        id,
        new Date(at).toISOString(),
      ]);

    it('names the fields another live process differs in, and a different schema version', async () => {
      const d = await db();
      expect(await checkCluster(d, 'a', { mode: 'development', vrsTimeoutMs: 5000 }, 'v1')).toEqual([]);
      await live(d, 'a');
      const p = await checkCluster(d, 'b', { mode: 'production', vrsTimeoutMs: 5000 }, 'v2');
      expect(p.map((x) => [x.code, x.detail])).toEqual([
        ['RELAY_TOPOLOGY_SCHEMA_MISMATCH', { process: 'a', theirs: 'v1', ours: 'v2' }],
        ['RELAY_TOPOLOGY_CLUSTER_MISMATCH', { process: 'a', fields: 'mode' }],
      ]);
      expect(await checkCluster(d, 'c', { mode: 'development', vrsTimeoutMs: 5000 }, 'v1')).toEqual([]);
    });

    it('ignores a process that is not running (no live sample for 15 s)', async () => {
      const d = await db();
      await checkCluster(d, 'old', { mode: 'production' }, 'v0');
      await live(d, 'old', Date.now() - 60_000);
      expect(await checkCluster(d, 'new', { mode: 'development' }, 'v1')).toEqual([]);
    });

    const reason = postgresUnavailableReason();
    describe.skipIf(reason !== undefined)(
      `two relay processes on PostgreSQL${reason ? ` (skipped: ${reason})` : ''}`,
      () => {
        let pg: TestPostgres | undefined;
        afterAll(async () => {
          await pg?.stop();
        });

        it('the second relay with another VRS timeout refuses to start; the running one shows the alert', async () => {
          pg = await startTestPostgres();
          const url = await createTestDatabase(pg.url, 'relay_topology_test');
          const seed = randomSeed();
          const vrs = await fakeVrs(seed);
          const base = {
            dbUrl: url,
            identitySeed: seed,
            vrsEndpoints: [{ url: vrs.url, identityPublicKey: vrs.publicKey }],
          };
          const a = await start({ ...base, stateDir: tempDir(), vrsTimeoutMs: 5000 });
          const err = await startRelay(
            { ...base, stateDir: tempDir(), vrsTimeoutMs: 9000 },
            { log: quiet() },
          ).then(
            (r) => (cleanups.push(() => r.stop()), null),
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(TopologyError);
          expect((err as TopologyError).problems.map((p) => [p.code, p.detail['fields']])).toEqual([
            ['RELAY_TOPOLOGY_CLUSTER_MISMATCH', 'vrsTimeoutMs'],
          ]);
          // The alert is in the shared database: the running relay's dashboard shows it.
          const alerts = await a.control.alerts.list({});
          expect(
            alerts.some(
              (x) => x.kind === 'topology' && x.detail['code'] === 'RELAY_TOPOLOGY_CLUSTER_MISMATCH',
            ),
          ).toBe(true);
          // The same configuration joins.
          await start({ ...base, stateDir: tempDir(), vrsTimeoutMs: 5000 });
        }, 120_000);
      },
    );
  },
);
