import WebSocket from 'ws';
import { sodiumCrypto } from '../../../common/crypto-sodium.js';
import { identityFromSeed, parseKey, type RelayToKiosk } from '../../../protocol/index.js';
import { startBareEcho, startBareForwarder } from './bare.js';
import { onMessage, percentile, send } from './ipc.js';
import { benchKioskCrypto, LeanKiosk } from './lean-kiosk.js';

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
      /** `bare-one`: the echo back end and bare forwarder run in this process too (the set-up). */
      mode: 'bare' | 'bare-one' | 'relay';
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

/**
 * A kiosk session through the relay, on the lean benchmark kiosk (raw socket, minimal WebSocket codec):
 * the bare baseline's clients are bare `ws` clients, so the relay's clients should add as little of
 * their own as a kiosk must (sealing and opening its frames, checking each message's schema).
 */
async function relayClient(url: string, relayKey: Uint8Array, seed: string): Promise<Client> {
  const identity = identityFromSeed(new Uint8Array(Buffer.from(seed, 'base64')), sodiumCrypto);
  const r = await LeanKiosk.connect(url, relayKey, { identity, crypto: benchKioskCrypto() });
  if (!r.ok) throw new Error(`refused: ${r.code}`);
  const k = r.kiosk;
  await k.heartbeat(0);
  const waiters = new Map<string, (m: RelayToKiosk) => void>();
  k.onAnswer = (m) => {
    if (m.type !== 'issue.response' && m.type !== 'issue.error') return false;
    const w = waiters.get(m.requestId);
    waiters.delete(m.requestId);
    w?.(m);
    return w !== undefined;
  };
  return {
    request(id) {
      const rid = Buffer.alloc(16);
      rid.writeUInt32BE(id, 12);
      rid.writeUInt32BE(process.pid, 0);
      const requestId = rid.toString('base64url');
      return new Promise<void>((resolve, reject) => {
        waiters.set(requestId, (m) =>
          m.type === 'issue.response' ? resolve() : reject(new Error(`relay answered ${m.type}`)),
        );
        k.send({
          v: 1,
          type: 'issue.request',
          requestId,
          municipality: '131016',
          certType: 'domestic',
          sealed: SEALED,
        });
      });
    },
  };
}

let nextId = 1;

onMessage<Cmd>(async (m) => {
  if (m.cmd === 'connect') {
    const key = m.relayKey ? parseKey(m.relayKey) : undefined;
    let url = m.url;
    if (m.mode === 'bare-one') url = (await startBareForwarder((await startBareEcho()).url)).url;
    clients = [];
    for (let i = 0; i < m.clients; i += 50) {
      const batch = Array.from({ length: Math.min(50, m.clients - i) }, (_, j) =>
        m.mode === 'relay' ? relayClient(url, key!, m.seeds![i + j]!) : bareClient(url),
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
