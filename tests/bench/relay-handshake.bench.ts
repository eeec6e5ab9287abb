/**
 * Relay CPU per kiosk handshake, measured quietly: one relay process (PostgreSQL), kiosks connecting from
 * this process at low concurrency (so the relay mostly has a core to itself), each one counted once its
 * first heartbeat is acknowledged — the same unit as the sessions benchmark's storm. Against a bare `ws`
 * echo server in the same run (upgrade + two frames in, two out, no crypto): the floor of Node's HTTP,
 * TCP and WebSocket work per connection. Then the same handshakes from the sessions benchmark's lean
 * kiosk, for its kiosk-side CPU beside TestKiosk's.
 *
 *   RELAY_BENCH_HANDSHAKES (4000, after 500 warm-up)   RELAY_BENCH_CONCURRENCY (8)
 *   RELAY_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" for the relay process)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { nodeCrypto } from '../../common/crypto-node.js';
import { openDb } from '../../common/db.js';
import {
  createTestDatabase,
  postgresUnavailableReason,
  startTestPostgres,
} from '../../common/testing/postgres.js';
import { identityFromSeed, keyId, type Identity } from '../../protocol/index.js';
import { migrate } from '../../relay/store/schema.js';
import { fleetIdentity } from '../../relay/testing/bench/fleet.js';
import { benchKioskCrypto, LeanKiosk, relayTarget } from '../../relay/testing/bench/lean-kiosk.js';
import { forkWorker } from '../../relay/testing/bench/fork.js';
import { spawnRelay } from '../../relay/testing/spawn-relay.js';
import { TestKiosk } from '../../relay/testing/test-kiosk.js';
import { machineLine } from '../run-programs.js';

const N = Number(process.env['RELAY_BENCH_HANDSHAKES'] ?? 4000);
const WARM = 500;
const CONCURRENCY = Number(process.env['RELAY_BENCH_CONCURRENCY'] ?? 8);
const BASE = `hs-${Date.now()}`;

/** CPU seconds (user + system) a process has used so far. */
const cpuOf = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

/** Runs `one(i)` for i in [from, to) with CONCURRENCY in flight. */
async function drive(from: number, to: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < to) await one(next++);
    }),
  );
}

console.log(machineLine());
const reason = postgresUnavailableReason();
if (reason !== undefined) {
  console.log(`relay handshake: skipped (${reason})`);
  process.exit(0);
}

const pg = await startTestPostgres();
const dir = mkdtempSync(join(tmpdir(), 'relay-bench-hs-'));
const open: WebSocket[] = [];
const kiosks: TestKiosk[] = [];
const leanKiosks: LeanKiosk[] = [];
try {
  const url = await createTestDatabase(pg.url, 'relay_bench_handshake');
  const db = await openDb({ url });
  await migrate(db);
  const identities: Identity[] = [];
  // Two fleets: TestKiosk's, then the lean kiosks'.
  for (let i = 0; i < 2 * (WARM + N); i++) identities.push(fleetIdentity(BASE, i));
  await db.query('INSERT INTO relay_kiosks (kiosk_id, name) SELECT unnest($1::text[]), NULL', [
    identities.map((id) => keyId(id.publicKey)),
  ]);
  await db.close();

  // Bare ws floor.
  const bare = forkWorker('./backend.ts', ['bare']);
  const { url: bareUrl } = await bare.next<{ url: string }>();
  const payload = Buffer.alloc(100);
  const bareOne = () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(bareUrl, {
        perMessageDeflate: false,
        headers: { 'x-channel-hello': 'A'.repeat(200) },
      });
      let n = 0;
      ws.on('error', reject);
      ws.on('open', () => {
        ws.send(payload);
        ws.send(payload);
      });
      ws.on('message', () => {
        if (++n === 2) {
          open.push(ws);
          resolve();
        }
      });
    });
  await drive(0, WARM, bareOne);
  const bare0 = cpuOf(bare.child.pid!);
  const t0 = performance.now();
  await drive(0, N, bareOne);
  const bareCpu = cpuOf(bare.child.pid!) - bare0;
  const bareSecs = (performance.now() - t0) / 1000;
  for (const ws of open.splice(0)) ws.terminate();
  await bare.kill();

  const seed = Buffer.from(nodeCrypto.randomBytes(32)).toString('base64');
  const relayKey = identityFromSeed(new Uint8Array(Buffer.from(seed, 'base64')), nodeCrypto).publicKey;
  const relay = await spawnRelay(
    {
      DATABASE_URL: url,
      RELAY_STATE_DIR: dir,
      RELAY_OPS_TOKEN: 'bench-handshake-token-0123456789',
      RELAY_IDENTITY_SEED: seed,
      LOG_LEVEL: 'error',
      RELAY_IDS: JSON.stringify({ sourceFailuresPerMinute: 100_000 }),
    },
    (process.env['RELAY_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
  );
  try {
    let failed = 0;
    const relayOne = async (i: number) => {
      const r = await TestKiosk.connect(relay.info.kiosk, relayKey, {
        identity: identities[i]!,
        crypto: nodeCrypto,
      });
      if (!r.ok) {
        failed++;
        return;
      }
      await r.kiosk.heartbeat(0);
      kiosks.push(r.kiosk);
    };
    await drive(0, WARM, relayOne);
    const relay0 = cpuOf(relay.child.pid!);
    const self0 = process.cpuUsage();
    const t1 = performance.now();
    await drive(WARM, WARM + N, relayOne);
    const relayCpu = cpuOf(relay.child.pid!) - relay0;
    const selfCpu = process.cpuUsage(self0);
    const relaySecs = (performance.now() - t1) / 1000;
    const us = (s: number) => ((s / N) * 1e6).toFixed(0);
    console.log(
      `bare ws (upgrade + 2 frames each way): ${us(bareCpu)} µs server CPU per connection, ${(N / bareSecs).toFixed(0)} connections/s`,
    );
    console.log(
      `relay: ${us(relayCpu)} µs relay CPU per handshake (hello, 101, finished, first heartbeat acknowledged), ` +
        `${(N / relaySecs).toFixed(0)} handshakes/s with ${CONCURRENCY} in flight, ${failed} failed; ` +
        `kiosk side ${us((selfCpu.user + selfCpu.system) / 1e6)} µs`,
    );
    console.log(
      `relay beyond the bare floor: ${us(relayCpu - bareCpu)} µs per handshake (channel crypto, sealed frames, checks)`,
    );

    // The same handshakes from the benchmark's lean kiosk (raw socket, hand-written upgrade and frames,
    // kept key objects): what a sessions-benchmark load generator spends per kiosk.
    const target = relayTarget(relay.info.kiosk);
    const leanCrypto = benchKioskCrypto();
    const leanOne = async (i: number) => {
      const r = await LeanKiosk.connect(target, relayKey, { identity: identities[i]!, crypto: leanCrypto });
      if (!r.ok) {
        failed++;
        return;
      }
      await r.kiosk.heartbeat(0);
      leanKiosks.push(r.kiosk);
    };
    const L = WARM + N;
    failed = 0;
    await drive(L, L + WARM, leanOne);
    const leanRelay0 = cpuOf(relay.child.pid!);
    const leanSelf0 = process.cpuUsage();
    const t2 = performance.now();
    await drive(L + WARM, L + WARM + N, leanOne);
    const leanRelayCpu = cpuOf(relay.child.pid!) - leanRelay0;
    const leanSelf = process.cpuUsage(leanSelf0);
    const leanSecs = (performance.now() - t2) / 1000;
    console.log(
      `lean kiosk (relay/testing/bench/lean-kiosk.ts, as the sessions benchmark uses): kiosk side ${us((leanSelf.user + leanSelf.system) / 1e6)} µs per handshake ` +
        `(TestKiosk above: ${us((selfCpu.user + selfCpu.system) / 1e6)} µs); relay ${us(leanRelayCpu)} µs, ${(N / leanSecs).toFixed(0)} handshakes/s, ${failed} failed`,
    );
  } finally {
    for (const k of kiosks) k.ws.terminate();
    for (const k of leanKiosks) k.terminate();
    await relay.stop();
  }
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
