/**
 * Relay forwarding benchmark: sealed requests per second and added latency, with the audit record
 * committed before each answer, against a bare `ws` forwarder measured in the same run.
 *
 * Topology (both runs): load generator process → forwarder (this process) → back-end process.
 * Bare: 1 KiB binary messages, id-mapped, echoed. Relay: real channel handshakes and sealed frames on
 * both hops, schema checks, routing, audit (PGlite on disk, the default); 1 KiB opaque sealed payloads.
 *
 *   RELAY_BENCH_CLIENTS (100)  RELAY_BENCH_SECONDS (8)  RELAY_BENCH_RATE (1000 req/s for latency)
 *   RELAY_BENCH_INFLIGHT (8 per client, throughput phase)  RELAY_BENCH_ONLY=relay (skip the baseline)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { nodeCrypto } from '../../common/crypto-node.js';
import { createLogger } from '../../common/log.js';
import { generateIdentity, keyId } from '../../protocol/index.js';
import { startRelay } from '../../relay/index.js';
import { forkWorker } from '../../relay/testing/bench/fork.js';
import { machineLine } from '../run-programs.js';

const CLIENTS = Number(process.env['RELAY_BENCH_CLIENTS'] ?? 100);
const SECONDS = Number(process.env['RELAY_BENCH_SECONDS'] ?? 8);
const RATE = Number(process.env['RELAY_BENCH_RATE'] ?? 1000);
const INFLIGHT = Number(process.env['RELAY_BENCH_INFLIGHT'] ?? 8);

interface RunResult {
  done: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Cores used by the load generator and by the forwarder (this process) during the run. */
  loadCpu?: number;
  forwarderCpu?: number;
  backendCpu?: number;
}

/** CPU seconds (user + system) a process has used so far. */
const cpuOf = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

async function measure(
  mode: 'bare' | 'relay',
  url: string,
  backendPid: number,
  relayKey?: string,
  seeds?: string[],
) {
  const load = forkWorker('./load.ts');
  await load.next();
  load.send({ cmd: 'connect', mode, url, relayKey, seeds, clients: CLIENTS });
  await load.next();
  load.send({ cmd: 'run', durationMs: 1000, inflight: 2 }); // warm-up
  await load.next();
  const cpu0 = process.cpuUsage();
  const backend0 = cpuOf(backendPid);
  const t0 = performance.now();
  load.send({ cmd: 'run', durationMs: SECONDS * 1000, inflight: INFLIGHT });
  const throughput = await load.next<RunResult>();
  const cpu = process.cpuUsage(cpu0);
  const secs = (performance.now() - t0) / 1000;
  throughput.forwarderCpu = (cpu.user + cpu.system) / 1e6 / secs;
  throughput.backendCpu = (cpuOf(backendPid) - backend0) / secs;
  load.send({ cmd: 'run', durationMs: Math.max(3, SECONDS / 2) * 1000, rate: RATE });
  const latency = await load.next<RunResult>();
  await load.kill();
  return { throughput, latency };
}

async function bare() {
  const backend = forkWorker('./backend.ts', ['bare']);
  const { url } = await backend.next<{ url: string }>();
  const upstream = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((r) => upstream.once('open', r));
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });
  const routes = new Map<number, WebSocket>();
  let seq = 0;
  upstream.on('message', (d: Buffer) => {
    const id = d.readUInt32BE(0);
    const client = routes.get(id);
    routes.delete(id);
    if (client === undefined) return;
    const orig = (client as unknown as { ids: Map<number, number> }).ids;
    const clientId = orig.get(id)!;
    orig.delete(id);
    d.writeUInt32BE(clientId, 0);
    client.send(d);
  });
  wss.on('connection', (ws) => {
    (ws as unknown as { ids: Map<number, number> }).ids = new Map();
    ws.on('message', (d: Buffer) => {
      const id = ++seq >>> 0;
      (ws as unknown as { ids: Map<number, number> }).ids.set(id, d.readUInt32BE(0));
      routes.set(id, ws);
      d.writeUInt32BE(id, 0);
      upstream.send(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const r = await measure(
    'bare',
    `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    backend.child.pid!,
  );
  upstream.close();
  wss.close();
  server.close();
  await backend.kill();
  return r;
}

async function relay() {
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  const seed = Buffer.from(nodeCrypto.randomBytes(32)).toString('base64');
  const relayKey = keyId(
    (await import('../../protocol/index.js')).identityFromSeed(
      new Uint8Array(Buffer.from(seed, 'base64')),
      nodeCrypto,
    ).publicKey,
  );
  const backend = forkWorker('./backend.ts', ['relay', relayKey]);
  const vrs = await backend.next<{ url: string; publicKey: string }>();
  const r = await startRelay(
    {
      stateDir: dir,
      opsToken: 'bench-token-0123456789',
      identitySeed: seed,
      vrsEndpoints: [{ url: vrs.url, identityPublicKey: vrs.publicKey }],
      maxInflightPerKiosk: 64,
    },
    { log: createLogger('relay', () => undefined) },
  );
  const seeds: string[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const id = generateIdentity(nodeCrypto);
    seeds.push(Buffer.from(id.seed).toString('base64'));
    await r.control.kiosks.insert(keyId(id.publicKey), null);
  }
  while (!r.router.knows('131016')) await new Promise((x) => setTimeout(x, 20));
  const before = (await r.control.audit.verify()) as { count: number };
  const out = await measure('relay', r.info.kiosk, backend.child.pid!, relayKey, seeds);
  const after = await r.control.audit.verify();
  await r.stop();
  await backend.kill();
  rmSync(dir, { recursive: true, force: true });
  return { ...out, auditRecords: after.ok ? after.count - before.count : -1, auditOk: after.ok };
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
console.log(machineLine());
console.log(
  `relay forwarding: ${CLIENTS} clients, ${INFLIGHT} in flight each, ${SECONDS} s; latency at ${RATE} req/s`,
);
const ONLY = process.env['RELAY_BENCH_ONLY'];
const skip = { done: 0, errors: 0, perSecond: NaN, p50: NaN, p99: NaN };
const b = ONLY === 'relay' ? { throughput: skip, latency: skip } : await bare();
const cores = (x: RunResult) =>
  `cores used: forwarder ${fmt(x.forwarderCpu ?? NaN)}, load ${fmt(x.loadCpu ?? NaN)}, back end ${fmt(x.backendCpu ?? NaN)}`;
console.log(
  `baseline bare ws forwarder: ${b.throughput.perSecond.toFixed(0)} req/s (errors ${b.throughput.errors}; ${cores(b.throughput)}); latency @${RATE}/s p50 ${fmt(b.latency.p50)} ms p99 ${fmt(b.latency.p99)} ms`,
);
const r = await relay();
console.log(
  `relay (sealed, audited):    ${r.throughput.perSecond.toFixed(0)} req/s (errors ${r.throughput.errors}; ${cores(r.throughput)}); latency @${RATE}/s p50 ${fmt(r.latency.p50)} ms p99 ${fmt(r.latency.p99)} ms`,
);
console.log(
  `relay / baseline throughput: ${(r.throughput.perSecond / b.throughput.perSecond).toFixed(2)} (target ≥ 0.5; target ≥ 5000 req/s)`,
);
console.log(
  `added latency: p50 ${fmt(r.latency.p50 - b.latency.p50)} ms, p99 ${fmt(r.latency.p99 - b.latency.p99)} ms (target p99 ≤ 5 ms)`,
);
console.log(`audit records written: ${r.auditRecords} (chain verifies: ${r.auditOk})`);
process.exit(0);
