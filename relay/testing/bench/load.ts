import WebSocket from 'ws';
import { nodeCrypto } from '../../../common/crypto-node.js';
import { sodiumCrypto } from '../../../common/crypto-sodium.js';
import { identityFromSeed, parseKey } from '../../../protocol/index.js';
import { TestKiosk } from '../test-kiosk.js';
import { onMessage, percentile, send } from './ipc.js';

/**
 * Benchmark load generator, in its own process. `connect` opens the clients (kiosk sessions through the
 * relay, or bare ws clients of the baseline forwarder); `run` drives them closed-loop (`inflight` per
 * client) or open-loop at `rate` requests/s, and reports throughput and latency percentiles.
 */
interface Client {
  request(id: number): Promise<void>;
}

type Cmd =
  | {
      cmd: 'connect';
      mode: 'bare' | 'relay';
      url: string;
      relayKey?: string;
      seeds?: string[];
      clients: number;
    }
  | { cmd: 'run'; durationMs: number; inflight?: number; rate?: number };

const PAYLOAD = Buffer.alloc(1024, 0x61);
const SEALED = Buffer.alloc(1024, 7).toString('base64url');
let clients: Client[] = [];

async function bareClient(url: string): Promise<Client> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  const waiters = new Map<number, () => void>();
  ws.on('message', (d: Buffer) => {
    const id = d.readUInt32BE(0);
    waiters.get(id)?.();
    waiters.delete(id);
  });
  return {
    request(id) {
      const msg = Buffer.allocUnsafe(4 + PAYLOAD.length);
      msg.writeUInt32BE(id, 0);
      PAYLOAD.copy(msg, 4);
      return new Promise<void>((resolve) => {
        waiters.set(id, resolve);
        ws.send(msg);
      });
    },
  };
}

async function relayClient(url: string, relayKey: Uint8Array, seed: string): Promise<Client> {
  const identity = identityFromSeed(new Uint8Array(Buffer.from(seed, 'base64')), nodeCrypto);
  const r = await TestKiosk.connect(url, relayKey, { identity, crypto: sodiumCrypto });
  if (!r.ok) throw new Error(`refused: ${r.code}`);
  const k = r.kiosk;
  await k.heartbeat(0);
  return {
    async request(id) {
      const requestId = Buffer.alloc(16);
      requestId.writeUInt32BE(id, 12);
      requestId.writeUInt32BE(process.pid, 0);
      const reply = await k.requestRaw(requestId.toString('base64url'), '131016', SEALED);
      if (reply.type !== 'issue.response') throw new Error(`relay answered ${JSON.stringify(reply)}`);
    },
  };
}

let nextId = 1;

onMessage<Cmd>(async (m) => {
  if (m.cmd === 'connect') {
    const key = m.relayKey ? parseKey(m.relayKey) : undefined;
    clients = [];
    for (let i = 0; i < m.clients; i += 50) {
      const batch = Array.from({ length: Math.min(50, m.clients - i) }, (_, j) =>
        m.mode === 'bare' ? bareClient(m.url) : relayClient(m.url, key!, m.seeds![i + j]!),
      );
      clients.push(...(await Promise.all(batch)));
    }
    return send({ connected: clients.length });
  }
  const lat: number[] = [];
  let done = 0;
  let errors = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const end = t0 + m.durationMs;
  const one = async (c: Client) => {
    const s = performance.now();
    try {
      await c.request(nextId++);
      lat.push(performance.now() - s);
      done++;
    } catch {
      errors++;
    }
  };
  if (m.rate === undefined) {
    const inflight = m.inflight ?? 1;
    await Promise.all(
      clients.flatMap((c) =>
        Array.from({ length: inflight }, async () => {
          while (performance.now() < end) await one(c);
        }),
      ),
    );
  } else {
    const interval = 1000 / m.rate;
    const pending: Array<Promise<void>> = [];
    let i = 0;
    while (performance.now() < end) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one(clients[i % clients.length]!));
      i++;
    }
    await Promise.all(pending);
  }
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const cpu = process.cpuUsage(cpu0);
  send({
    done,
    errors,
    perSecond: done / secs,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    loadCpu: (cpu.user + cpu.system) / 1e6 / secs,
  });
});
send({ ready: true });
