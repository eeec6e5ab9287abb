/**
 * Soak (issue 17): the relays with the full simulated fleet for `SOAK_SECONDS` (600), as the sessions
 * benchmark holds it (57,000 `LeanKiosk` sessions with 30 s heartbeats, over several load-generator processes
 * on their own 127.0.0.x), while `SOAK_ISSUERS` (60) full test kiosks make end-to-end requests at
 * `SOAK_RATE` (15 a second across the fleet, the peak of docs/reference.md) through the relays to a VRS
 * channel peer (`FakeVrs`: real handshake, opens each sealed request, seals a bound answer), open each
 * answer (bound to their own request and kiosk: a misdelivered answer does not open) and report its outcome.
 *
 * Prints: memory (RSS) of every process sampled every 10 s, with its least-squares slope over the run after
 * the first minute (MiB per minute, and the residuals' spread: "flat within noise" means the slope times the
 * run is within that spread); requests sent, answered, refused by code, lost (no answer at all) and
 * misdelivered; the relays' audit records against the answers, and the chain check at the end.
 *
 *   SOAK_SECONDS (600)  SOAK_KIOSKS (57000)  SOAK_RELAYS (3)  SOAK_RATE (15)  SOAK_ISSUERS (60)
 *   SOAK_CONNECT_SECONDS (300): how long the fleet may take to connect before the soak starts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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
import { fleetIdentity } from '../../relay/testing/bench/fleet.js';
import type { LoadCount } from '../../relay/testing/bench/sessions-load.js';
import { FakeVrs } from '../../relay/testing/fake-vrs.js';
import { MUNICIPALITIES } from '../../relay/testing/harness.js';
import { spawnRelay, type RelayProcess } from '../../relay/testing/spawn-relay.js';
import { TestKiosk } from '../../relay/testing/test-kiosk.js';
import { machineLine } from '../run-programs.js';

const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 600);
const N = Number(process.env['SOAK_KIOSKS'] ?? 57_000);
const RELAYS = Number(process.env['SOAK_RELAYS'] ?? 3);
const RATE = Number(process.env['SOAK_RATE'] ?? 15);
const ISSUERS = Number(process.env['SOAK_ISSUERS'] ?? 60);
const CONNECT_S = Number(process.env['SOAK_CONNECT_SECONDS'] ?? 300);
const PER_GEN = 9500;
const TOKEN = 'bench-soak-token-0123456789';
const BASE = `soak-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssOf = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/** Least-squares slope (units per second) and the residuals' standard deviation. */
export function slope(points: readonly [number, number][]): { perSecond: number; noise: number } {
  const n = points.length;
  if (n < 3) return { perSecond: 0, noise: 0 };
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  const b = sxx === 0 ? 0 : sxy / sxx;
  const res = points.map(([x, y]) => y - (my + b * (x - mx)));
  const noise = Math.sqrt(res.reduce((a, r) => a + r * r, 0) / (n - 2));
  return { perSecond: b, noise };
}

console.log(machineLine());
const reason = postgresUnavailableReason();
if (reason !== undefined) {
  console.log(`soak: skipped (${reason})`);
  process.exit(0);
}
console.log(
  `soak: ${SECONDS} s, ${N} heartbeat sessions + ${ISSUERS} issuing kiosks, ${RELAYS} relay processes on one PostgreSQL, ${RATE} requests/s`,
);

const pg = await startTestPostgres();
const dirs: string[] = [];
const relays: RelayProcess[] = [];
const gens: Worker[] = [];
let exitCode = 0;
let realVrs: FakeVrs | undefined;
try {
  const url = await createTestDatabase(pg.url, 'relay_bench_soak');
  const db = await openDb({ url });
  await migrate(db);
  for (let i = 0; i < N; i += 5000) {
    const ids: string[] = [];
    for (let j = i; j < Math.min(N, i + 5000); j++) ids.push(keyId(fleetIdentity(BASE, j).publicKey));
    await db.query('INSERT INTO relay_kiosks (kiosk_id, name) SELECT unnest($1::text[]), NULL', [ids]);
  }
  const issuerIds = Array.from({ length: ISSUERS }, (_, i) => fleetIdentity(`${BASE}-issuer`, i));
  await db.query('INSERT INTO relay_kiosks (kiosk_id, name) SELECT unnest($1::text[]), NULL', [
    issuerIds.map((id) => keyId(id.publicKey)),
  ]);
  await db.close();

  const seed = Buffer.from(nodeCrypto.randomBytes(32)).toString('base64');
  const relayIdentity = identityFromSeed(new Uint8Array(Buffer.from(seed, 'base64')), nodeCrypto);
  realVrs = new FakeVrs({ relayPublicKey: relayIdentity.publicKey, municipalities: MUNICIPALITIES });
  await realVrs.listen();
  const ports = await Promise.all(Array.from({ length: RELAYS }, () => freePort()));
  for (let i = 0; i < RELAYS; i++) {
    const dir = mkdtempSync(join(tmpdir(), `relay-soak-${i}-`));
    dirs.push(dir);
    relays.push(
      await spawnRelay(
        {
          DATABASE_URL: url,
          RELAY_STATE_DIR: dir,
          RELAY_OPS_TOKEN: TOKEN,
          RELAY_IDENTITY_SEED: seed,
          RELAY_KIOSK_PORT: String(ports[i]),
          RELAY_VRS_ENDPOINTS: JSON.stringify([{ url: realVrs.url, identityPublicKey: realVrs.publicKey }]),
          LOG_LEVEL: 'error',
          RELAY_IDS: JSON.stringify({ sourceFailuresPerMinute: 100_000 }),
        },
        ['--max-old-space-size=4096'],
      ),
    );
  }

  // The issuing kiosks, spread over the relays.
  const issuers: TestKiosk[] = [];
  for (let i = 0; i < ISSUERS; i++) {
    const r = await TestKiosk.connect(`ws://127.0.0.1:${ports[i % RELAYS]}/kiosk`, relayIdentity.publicKey, {
      identity: issuerIds[i]!,
      localAddress: '127.0.0.9',
    });
    if (!r.ok) throw new Error(`issuer ${i} refused: ${r.code}`);
    issuers.push(r.kiosk);
  }

  // The fleet: heartbeat sessions in load-generator processes.
  for (let g = 0; g * PER_GEN < N; g++) {
    const w = forkWorker('./sessions-load.ts', [], ['--max-old-space-size=4096']);
    await w.next();
    w.send({
      cmd: 'start',
      urls: ports.map((p) => `ws://127.0.0.1:${p}/kiosk`),
      relayKey: keyId(relayIdentity.publicKey),
      base: BASE,
      from: g * PER_GEN,
      to: Math.min(N, (g + 1) * PER_GEN),
      localAddress: `127.0.0.${11 + g}`,
      concurrency: 64,
      jitterMs: 2000,
      maxBackoffMs: 5000,
    });
    await w.next();
    gens.push(w);
  }
  const counts = async () => {
    for (const g of gens) g.send({ cmd: 'count' });
    const rs = await Promise.all(gens.map((g) => g.next<LoadCount>()));
    return rs.reduce(
      (a, r) => ({ authenticated: a.authenticated + r.authenticated, failures: a.failures + r.failures }),
      {
        authenticated: 0,
        failures: 0,
      },
    );
  };
  const t0 = performance.now();
  // On a contended machine the whole fleet may take long to connect: the soak starts after at most
  // SOAK_CONNECT_SECONDS and says how many sessions it held (the rest keep connecting meanwhile).
  while ((await counts()).authenticated < N && performance.now() - t0 < CONNECT_S * 1000) await sleep(1000);
  console.log(
    `fleet connected: ${(await counts()).authenticated}/${N} in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );

  const atStart = await counts();
  const stats = { sent: 0, answered: 0, misdelivered: 0, late: 0, refused: new Map<string, number>() };
  const latencies: number[] = [];
  const pids: { name: string; pid: number }[] = [
    ...relays.map((r, i) => ({ name: `relay ${i}`, pid: r.child.pid! })),
    ...gens.map((g, i) => ({ name: `fleet generator ${i}`, pid: g.child.pid! })),
    { name: 'issuers + VRS peer (this process)', pid: process.pid },
  ];
  const samples = new Map<string, [number, number][]>(pids.map((p) => [p.name, []]));
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const inflight = new Set<Promise<void>>();
  let next = start;
  let k = 0;
  let nextSample = start;
  while (performance.now() < end) {
    const now = performance.now();
    if (now >= nextSample) {
      for (const p of pids) samples.get(p.name)!.push([(now - start) / 1000, rssOf(p.pid)]);
      nextSample += 10_000;
    }
    if (now < next) {
      await sleep(Math.min(next - now, 50));
      continue;
    }
    next += 1000 / RATE;
    const kiosk = issuers[k++ % issuers.length]!;
    stats.sent++;
    const t = performance.now();
    const municipality = MUNICIPALITIES[k % MUNICIPALITIES.length]!.code;
    const p: Promise<void> = kiosk
      .request(realVrs.box.publicKey, municipality)
      .then(({ requestId, reply, opened }) => {
        latencies.push(performance.now() - t);
        if (reply.type === 'issue.response') {
          if (opened?.ok) {
            stats.answered++;
            kiosk.send({ v: 1, type: 'issue.outcome', requestId, outcome: 'printed' });
          } else stats.misdelivered++;
        } else {
          const code = reply.type === 'issue.error' ? reply.code : reply.type;
          stats.refused.set(code, (stats.refused.get(code) ?? 0) + 1);
        }
      })
      .catch(() => {
        // No answer within the test kiosk's 20 s: whether the relay answered late or never is decided at
        // the end from its audit records.
        stats.late++;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
  const held = await counts();
  const secs = (performance.now() - start) / 1000;

  console.log(
    `\nran ${secs.toFixed(0)} s; fleet sessions at the start ${atStart.authenticated}/${N}, at the end ${held.authenticated}/${N}`,
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  console.log(
    `requests: ${stats.sent} sent (${(stats.sent / secs).toFixed(1)}/s), ${stats.answered} answered and opened, ` +
      `${[...stats.refused].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'} refused, ${stats.late} not answered within 20 s, ${stats.misdelivered} misdelivered; ` +
      `latency p50 ${pct(0.5).toFixed(0)} ms, p99 ${pct(0.99).toFixed(0)} ms`,
  );
  console.log('memory (RSS), sampled every 10 s; slope over the run after the first minute:');
  for (const [name, pts] of samples) {
    const steady = pts.filter(([t]) => t >= Math.min(60, secs / 3));
    const s = slope(steady);
    const first = pts[0]?.[1] ?? 0;
    const last = pts.at(-1)?.[1] ?? 0;
    const drift = Math.abs(s.perSecond * (steady.at(-1)![0] - steady[0]![0]));
    console.log(
      `  ${name}: ${(first / 2 ** 20).toFixed(0)} → ${(last / 2 ** 20).toFixed(0)} MiB; slope ${((s.perSecond * 60) / 2 ** 20).toFixed(2)} MiB/min, ` +
        `noise ±${(s.noise / 2 ** 20).toFixed(1)} MiB → ${drift <= 2 * s.noise ? 'flat within noise' : 'GROWING beyond noise'}`,
    );
  }
  await sleep(2000);
  const rows = await (async () => {
    const d = await openDb({ url });
    try {
      const r = await d.query<{ kind: string; n: string }>(
        `SELECT kind, count(*) AS n FROM relay_audit WHERE kind LIKE 'issue.%' GROUP BY kind`,
      );
      return Object.fromEntries(r.rows.map((x) => [x.kind, Number(x.n)]));
    } finally {
      await d.close();
    }
  })();
  const verify = await fetch(`${relays[0]!.info.ops}/api/audit/verify`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const v = (await verify.json()) as { ok: boolean; records?: number };
  console.log(
    `audit: ${rows['issue.answered'] ?? 0} answered records for ${stats.answered} answers, ${rows['issue.outcome'] ?? 0} outcome records, ` +
      `${rows['issue.refused'] ?? 0} refused records; chain ${verify.ok && v.ok ? 'intact' : 'BROKEN'} (${JSON.stringify(v)})`,
  );
  // Lost: a request the relays have no record of having answered or refused (each one is recorded before
  // its answer leaves). An answer that reached the kiosk after its 20 s is late, not lost.
  const refusedCount = [...stats.refused.values()].reduce((a, b) => a + b, 0);
  const lost = stats.sent - (rows['issue.answered'] ?? 0) - (rows['issue.refused'] ?? 0);
  console.log(
    `lost (no record of an answer or a refusal): ${lost}; misdelivered: ${stats.misdelivered}; answered after the kiosk's 20 s: ${stats.late} (refused at the kiosk: ${refusedCount})`,
  );
  if (lost > 0 || stats.misdelivered > 0 || !(verify.ok && v.ok)) exitCode = 1;
  for (const k of issuers) k.close();
} finally {
  await realVrs?.close().catch(() => undefined);
  for (const g of gens) await g.kill();
  for (const r of relays) await r.stop();
  await pg.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.exit(exitCode);
