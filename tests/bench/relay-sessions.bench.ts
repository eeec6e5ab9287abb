/**
 * Relay sessions benchmark: (1) authenticated kiosk sessions held by three relay processes sharing one
 * PostgreSQL, with 30 s heartbeats, and the memory each session costs; (2) the reconnect storm: time for
 * every kiosk to authenticate again after all relays restart.
 *
 *   RELAY_BENCH_KIOSKS (57000)   RELAY_BENCH_RELAYS (3)   RELAY_BENCH_HOLD_SECONDS (35)
 *   RELAY_BENCH_PER_GENERATOR (9500 kiosks per load-generator process, each on its own 127.0.0.x)
 *   RELAY_BENCH_GEN_CONCURRENCY (64 connection attempts in flight per generator process)
 *   RELAY_BENCH_NODE_ARGS, RELAY_BENCH_GEN_NODE_ARGS: extra Node flags for the relays / the generators
 *   (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"; a generator writes its profile when the benchmark ends)
 *
 * The kiosks are `LeanKiosk`s (relay/testing/bench/lean-kiosk.ts): real handshakes, sealed frames,
 * heartbeats and pongs on raw sockets, so the generator takes as little as possible of the two cores it
 * shares with the relays.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCrypto } from '../../common/crypto-node.js';
import { openDb } from '../../common/db.js';
import {
  createTestDatabase,
  postgresUnavailableReason,
  startTestPostgres,
} from '../../common/testing/postgres.js';
import { identityFromSeed, keyId } from '../../protocol/index.js';
import { migrate } from '../../relay/store/schema.js';
import { forkWorker, type Worker } from '../../relay/testing/bench/fork.js';
import type { LoadCount } from '../../relay/testing/bench/sessions-load.js';
import { fleetIdentity } from '../../relay/testing/bench/fleet.js';
import { spawnRelay, type RelayProcess } from '../../relay/testing/spawn-relay.js';
import { machineLine } from '../run-programs.js';

const N = Number(process.env['RELAY_BENCH_KIOSKS'] ?? 57_000);
const RELAYS = Number(process.env['RELAY_BENCH_RELAYS'] ?? 3);
const HOLD_S = Number(process.env['RELAY_BENCH_HOLD_SECONDS'] ?? 35);
const PER_GEN = Number(process.env['RELAY_BENCH_PER_GENERATOR'] ?? 9500);
const GEN_CONCURRENCY = Number(process.env['RELAY_BENCH_GEN_CONCURRENCY'] ?? 64);
const TOKEN = 'bench-sessions-token-0123456789';
const BASE = `fleet-${Date.now()}`;

console.log(machineLine());
const reason = postgresUnavailableReason();
if (reason !== undefined) {
  console.log(`relay sessions: skipped (${reason})`);
  process.exit(0);
}
console.log(
  `relay sessions: ${N} kiosks, ${RELAYS} relay processes, one PostgreSQL; ulimit -Hn ${spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()}`,
);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
/** CPU seconds (user + system) a process has used so far. */
const cpuOf = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
/** Busy CPU seconds of the whole machine so far (all processes: relays, generators, PostgreSQL, anything else). */
const machineCpu = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - f[3]! - f[4]!) / 100; // minus idle and iowait
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pg = await startTestPostgres();
const dirs: string[] = [];
let relays: RelayProcess[] = [];
const gens: Worker[] = [];
try {
  const url = await createTestDatabase(pg.url, 'relay_bench_sessions');
  const db = await openDb({ url });
  await migrate(db);
  const t0 = performance.now();
  for (let i = 0; i < N; i += 5000) {
    const ids: string[] = [];
    for (let j = i; j < Math.min(N, i + 5000); j++) ids.push(keyId(fleetIdentity(BASE, j).publicKey));
    await db.query('INSERT INTO relay_kiosks (kiosk_id, name) SELECT unnest($1::text[]), NULL', [ids]);
  }
  await db.close();
  console.log(`enrolled ${N} kiosks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const seed = Buffer.from(nodeCrypto.randomBytes(32)).toString('base64');
  const relayKey = keyId(identityFromSeed(new Uint8Array(Buffer.from(seed, 'base64')), nodeCrypto).publicKey);
  const ports = await Promise.all(Array.from({ length: RELAYS }, () => freePort()));
  const env = (i: number) => {
    const dir = mkdtempSync(join(tmpdir(), `relay-bench-${i}-`));
    dirs.push(dir);
    return {
      DATABASE_URL: url,
      RELAY_STATE_DIR: dir,
      RELAY_OPS_TOKEN: TOKEN,
      RELAY_IDENTITY_SEED: seed,
      RELAY_KIOSK_PORT: String(ports[i]),
      LOG_LEVEL: 'error',
      // Thousands of bench kiosks share one 127.0.0.x source; a real store has its own address.
      RELAY_IDS: JSON.stringify({ sourceFailuresPerMinute: 100_000 }),
    };
  };
  const startAll = () =>
    Promise.all(
      ports.map((_, i) =>
        spawnRelay(env(i), [
          '--max-old-space-size=4096',
          ...(process.env['RELAY_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
        ]),
      ),
    );
  relays = await startAll();
  await sleep(1000);
  const rssBefore = relays.map((r) => rssOf(r.child.pid!));

  const genCount = Math.ceil(N / PER_GEN);
  const counts = async (): Promise<LoadCount> => {
    for (const g of gens) g.send({ cmd: 'count' });
    const rs = await Promise.all(gens.map((g) => g.next<LoadCount>()));
    const sum: LoadCount = {
      authenticated: 0,
      attempts: 0,
      failures: 0,
      codes: {},
      connecting: 0,
      queued: 0,
      waiting: 0,
      queueMs: 0,
      authMs: 0,
      authCount: 0,
      rss: 0,
    };
    for (const r of rs) {
      for (const k of Object.keys(sum) as Array<keyof LoadCount>) {
        if (k !== 'codes') sum[k] += r[k];
      }
      for (const [code, n] of Object.entries(r.codes)) sum.codes[code] = (sum.codes[code] ?? 0) + n;
    }
    return sum;
  };
  /** Waits until every kiosk is authenticated; with `timelineS`, prints the fleet's state that often. */
  const waitAll = async (label: string, limitS: number, timelineS = 0) => {
    const start = performance.now();
    const cpuAt = () => ({
      t: performance.now(),
      relays: relays.reduce((a, r) => a + cpuOf(r.child.pid!), 0),
      gens: gens.reduce((a, g) => a + cpuOf(g.child.pid!), 0),
      machine: machineCpu(),
    });
    let mark = cpuAt();
    let last = await counts();
    while (last.authenticated < N && performance.now() - start < limitS * 1000) {
      await sleep(500);
      last = await counts();
      if (timelineS > 0 && performance.now() - mark.t >= timelineS * 1000) {
        const now = cpuAt();
        const pct = (cpu: number) => ((cpu / ((now.t - mark.t) / 1000)) * 100).toFixed(0);
        console.log(
          `  +${((now.t - start) / 1000).toFixed(1)} s: ${last.authenticated} authenticated, ${last.connecting} connecting, ` +
            `${last.queued} queued for a generator slot, ${last.waiting} waiting out jitter/backoff; ` +
            `CPU relays ${pct(now.relays - mark.relays)} %, generators ${pct(now.gens - mark.gens)} %, whole machine ${pct(now.machine - mark.machine)} % (of one core; ${cpus().length} cores)`,
        );
        mark = now;
      }
    }
    const secs = (performance.now() - start) / 1000;
    console.log(
      `${label}: ${last.authenticated}/${N} authenticated in ${secs.toFixed(1)} s (${last.attempts} connection attempts, ${last.failures} refused or failed)`,
    );
    return { secs, ...last };
  };

  const cpuRelays0 = relays.map((r) => cpuOf(r.child.pid!));
  for (let g = 0; g < genCount; g++) {
    const w = forkWorker(
      './sessions-load.ts',
      [],
      [
        '--max-old-space-size=4096',
        ...(process.env['RELAY_BENCH_GEN_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
      ],
    );
    await w.next();
    w.send({
      cmd: 'start',
      urls: ports.map((p) => `ws://127.0.0.1:${p}/kiosk`),
      relayKey,
      base: BASE,
      from: g * PER_GEN,
      to: Math.min(N, (g + 1) * PER_GEN),
      localAddress: `127.0.0.${11 + g}`,
      concurrency: GEN_CONCURRENCY,
      jitterMs: 2000,
      maxBackoffMs: 5000,
    });
    await w.next();
    gens.push(w);
  }
  const cpuGens0 = gens.map((g) => cpuOf(g.child.pid!));
  const connectPhase = await waitAll('initial connect', 600, 15);
  const relayCpu = relays.reduce((a, r, i) => a + cpuOf(r.child.pid!) - cpuRelays0[i]!, 0);
  const genCpu = gens.reduce((a, g, i) => a + cpuOf(g.child.pid!) - cpuGens0[i]!, 0);
  console.log(
    `CPU per kiosk during the initial connect: relays ${((relayCpu / N) * 1e6).toFixed(0)} µs, kiosk side ${((genCpu / N) * 1e6).toFixed(0)} µs (heartbeats of kiosks already connected included; both on this machine's 2 cores, shared with other work)`,
  );

  console.log(`holding for ${HOLD_S} s (heartbeats every 30 s)…`);
  const cpuHold0 = relays.map((r) => cpuOf(r.child.pid!));
  await sleep(HOLD_S * 1000);
  const holdCpu = relays.reduce((a, r, i) => a + cpuOf(r.child.pid!) - cpuHold0[i]!, 0);
  const heartbeats = (N * HOLD_S) / 30;
  console.log(
    `holding ${N} sessions: relays used ${((holdCpu / HOLD_S) * 100).toFixed(0)} % of a core in all (${((holdCpu / heartbeats) * 1e6).toFixed(0)} µs per heartbeat, ping/pong included)`,
  );
  // Kiosks connected at a steady rate: on average half the fleet sent heartbeats during the connect phase.
  const hbDuringConnect = ((N / 2) * connectPhase.secs) / 30;
  console.log(
    `relay CPU per handshake, heartbeats taken out: ≈ ${(((relayCpu - hbDuringConnect * (holdCpu / heartbeats)) / N) * 1e6).toFixed(0)} µs`,
  );
  const held = await counts();
  const perRelay: number[] = [];
  for (const r of relays) {
    const m = await (
      await fetch(`${r.info.ops}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    perRelay.push(Number(/^relay_sessions (\d+)$/m.exec(m)?.[1] ?? -1));
  }
  const rssAfter = relays.map((r) => rssOf(r.child.pid!));
  const perSession = relays.map((_, i) => (rssAfter[i]! - rssBefore[i]!) / Math.max(1, perRelay[i]!));
  console.log(
    `sessions held after ${HOLD_S} s: ${held.authenticated}/${N}; per relay process: ${perRelay.join(', ')} (target each ≥ ${Math.floor((57_000 / 3) * (N / 57_000))})`,
  );
  console.log(
    `relay RSS: ${rssAfter.map((b) => (b / 2 ** 20).toFixed(0) + ' MiB').join(', ')}; total ${(rssAfter.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(0)} MiB`,
  );
  console.log(
    `bytes per session (RSS growth / sessions): ${perSession.map((b) => (b / 1024).toFixed(1) + ' KiB').join(', ')} (target ≤ 20 KB)`,
  );
  console.log(`load generators: ${gens.length} processes, ${(held.rss / 2 ** 20).toFixed(0)} MiB in all`);

  // Reconnect storm: all relays go down and come back on the same ports.
  const beforeStorm = await counts();
  const tKill = performance.now();
  await Promise.all(relays.map((r) => r.stop()));
  const stopS = (performance.now() - tKill) / 1000;
  relays = await startAll();
  const restartS = (performance.now() - tKill) / 1000;
  console.log(
    `relays stopped in ${stopS.toFixed(1)} s and were ready again ${(restartS - stopS).toFixed(1)} s later`,
  );
  const atReady = await counts();
  console.log(
    `while the relays were down: ${atReady.attempts - beforeStorm.attempts} connection attempts, ${atReady.failures - beforeStorm.failures} refused or failed; ` +
      `at ready: ${atReady.connecting} connecting, ${atReady.queued} queued, ${atReady.waiting} waiting out jitter/backoff`,
  );
  const cpuStorm0 = relays.map((r) => cpuOf(r.child.pid!));
  const cpuStormGens0 = gens.map((g) => cpuOf(g.child.pid!));
  const storm = await waitAll('reconnect storm (from relays ready)', 300, 5);
  const stormRelayCpu = relays.reduce((a, r, i) => a + cpuOf(r.child.pid!) - cpuStorm0[i]!, 0);
  const stormGenCpu = gens.reduce((a, g, i) => a + cpuOf(g.child.pid!) - cpuStormGens0[i]!, 0);
  console.log(
    `storm CPU: relays ${stormRelayCpu.toFixed(1)} s (${((stormRelayCpu / N) * 1e6).toFixed(0)} µs per kiosk), kiosk side ${stormGenCpu.toFixed(1)} s (${((stormGenCpu / N) * 1e6).toFixed(0)} µs per kiosk); ` +
      `at that relay cost ${N} handshakes need ${(stormRelayCpu / 30).toFixed(1)} relay cores to finish in 30 s`,
  );
  const stormCodes = Object.entries(storm.codes)
    .map(([code, n]) => [code, n - (beforeStorm.codes[code] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const stormAuth = storm.authCount - beforeStorm.authCount;
  console.log(
    `storm attempts from relays down: ${storm.attempts - beforeStorm.attempts} (${storm.failures - beforeStorm.failures} failed: ${stormCodes || 'none'}); ` +
      `per attempt ${((storm.queueMs - beforeStorm.queueMs) / Math.max(1, storm.attempts - beforeStorm.attempts)).toFixed(0)} ms queued for a generator slot on average; ` +
      `${((storm.authMs - beforeStorm.authMs) / Math.max(1, stormAuth)).toFixed(0)} ms from attempt to heartbeat ack on average (${stormAuth} authenticated)`,
  );
  console.log(
    `reconnect storm: all ${storm.authenticated === N ? '' : 'NOT '}re-authenticated ${storm.secs.toFixed(1)} s after the relays were ready, ${(storm.secs + restartS).toFixed(1)} s after they went down (target ≤ 30 s)`,
  );
} finally {
  for (const g of gens) await g.kill();
  for (const r of relays) await r.stop();
  await pg.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.exit(0);
