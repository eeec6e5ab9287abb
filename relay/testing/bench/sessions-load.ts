import { performance } from 'node:perf_hooks';
import { parseKey, type Identity } from '../../../protocol/index.js';
import { fleetIdentity } from './fleet.js';
import { onMessage, send } from './ipc.js';
import { benchKioskCrypto, LeanKiosk, relayTarget } from './lean-kiosk.js';

/**
 * Sessions-benchmark load generator (one process holds thousands of kiosks, as `LeanKiosk`s). Each kiosk
 * connects to `urls[i % urls.length]`, counts as authenticated once its first heartbeat is acknowledged,
 * sends a heartbeat every 30 s, and reconnects like a real kiosk when its session drops: after a random
 * delay (0–`jitterMs`), then, while the relay refuses or is down, with the kiosk's backoff
 * (kiosk/core/relay-client/backoff.ts `nextDelay`: uniform in [cap/2, cap], cap = min(`maxBackoffMs`,
 * 500 ms · 2^failures), the failure count reset once a channel is open).
 *
 * Each kiosk keeps its own source port (`localPortBase + j`, below the kernel's ephemeral range): with
 * 9,500 sockets bound to one 127.0.0.x, letting the kernel search for a free port (bind to port 0) cost
 * ≈ 2.9 ms of system CPU per connection here, more than everything else a kiosk does. The relay sees the
 * same source addresses as before. A kiosk whose port is taken falls back to the kernel's choice.
 *
 * `concurrency` bounds the connection attempts in flight in this process (a real fleet has no such
 * bound); the `count` answer reports how long kiosks queued for it, so the benchmark can tell whether it
 * held the storm back.
 */
type Cmd =
  | {
      cmd: 'start';
      urls: string[];
      relayKey: string;
      base: string;
      from: number;
      to: number;
      localAddress: string;
      concurrency: number;
      jitterMs: number;
      maxBackoffMs?: number;
      /** Kiosk j of this process connects from `localAddress`:`localPortBase + j` (default 10000). */
      localPortBase?: number;
    }
  | { cmd: 'count' };

/** What `count` answers: counters since start, and gauges now. */
export interface LoadCount {
  authenticated: number;
  attempts: number;
  failures: number;
  /** Failed attempts by code: the relay's, or RELAY_UNREACHABLE/<errno> (ECONNREFUSED while relays restart). */
  codes: Record<string, number>;
  /** Attempts in flight, waiting for a slot, and kiosks waiting out a jitter or backoff delay. */
  connecting: number;
  queued: number;
  waiting: number;
  /** Sums over attempts: ms queued for a slot; ms from the attempt's start to the first heartbeat's ack. */
  queueMs: number;
  authMs: number;
  authCount: number;
  rss: number;
}

const count: Omit<LoadCount, 'rss' | 'queued' | 'connecting'> = {
  authenticated: 0,
  attempts: 0,
  failures: 0,
  codes: {},
  waiting: 0,
  queueMs: 0,
  authMs: 0,
  authCount: 0,
};
let gauges = () => ({ connecting: 0, queued: 0 });

onMessage<Cmd>(async (m) => {
  if (m.cmd === 'count') {
    const reply: LoadCount = {
      ...count,
      ...gauges(),
      rss: process.memoryUsage.rss(),
    };
    return send(reply);
  }
  const relayKey = parseKey(m.relayKey)!;
  const targets = m.urls.map(relayTarget);
  const crypto = benchKioskCrypto();
  const n = m.to - m.from;
  const maxBackoff = m.maxBackoffMs ?? 5000;
  const identities: Array<Identity | undefined> = new Array(n);
  const kiosks: Array<LeanKiosk | undefined> = new Array(n);
  const failed = new Uint8Array(n);
  const portBase = m.localPortBase ?? 10_000;
  if (portBase < 1024 || portBase + n > 32_768)
    throw new RangeError('localPortBase: ports must fit 1024–32767');
  const kernelPort = new Uint8Array(n); // 1: this kiosk's own port was taken, let the kernel choose
  const queuedAt = new Float64Array(n);
  // A FIFO of kiosk indexes (0-based, this process's slice) waiting for a slot.
  let queue: number[] = [];
  let head = 0;
  let active = 0;
  gauges = () => ({ connecting: active, queued: queue.length - head });

  const pump = () => {
    while (active < m.concurrency && head < queue.length) {
      const j = queue[head++]!;
      if (head > 4096 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      active++;
      void connect(j).finally(() => {
        active--;
        pump();
      });
    }
  };
  const enqueue = (j: number) => {
    queuedAt[j] = performance.now();
    queue.push(j);
  };
  const schedule = (j: number, delay: number) => {
    count.waiting++;
    setTimeout(() => {
      count.waiting--;
      enqueue(j);
      pump();
    }, delay).unref();
  };
  const backoff = (j: number) => {
    const cap = Math.min(maxBackoff, 500 * 2 ** Math.min(failed[j]!, 20));
    if (failed[j]! < 255) failed[j]!++;
    return cap / 2 + (cap / 2) * Math.random();
  };

  const connect = async (j: number): Promise<void> => {
    const i = m.from + j;
    const start = performance.now();
    count.queueMs += start - queuedAt[j]!;
    count.attempts++;
    const r = await LeanKiosk.connect(targets[i % targets.length]!, relayKey, {
      identity: (identities[j] ??= fleetIdentity(m.base, i)),
      crypto,
      localAddress: m.localAddress,
      ...(kernelPort[j] === 1 ? {} : { localPort: portBase + j }),
    });
    if (!r.ok) {
      count.failures++;
      const code = r.cause === undefined ? r.code : `${r.code}/${r.cause}`;
      count.codes[code] = (count.codes[code] ?? 0) + 1;
      if (r.cause === 'EADDRINUSE' || r.cause === 'EADDRNOTAVAIL') kernelPort[j] = 1;
      return schedule(j, backoff(j));
    }
    failed[j] = 0;
    const k = r.kiosk;
    kiosks[j] = k;
    let counted = false;
    void k.closed.then(() => {
      kiosks[j] = undefined;
      if (counted) count.authenticated--;
      schedule(j, Math.random() * m.jitterMs);
    });
    try {
      await k.heartbeat(0);
      if (!k.isOpen) return;
      counted = true;
      count.authenticated++;
      count.authMs += performance.now() - start;
      count.authCount++;
    } catch {
      k.terminate();
    }
  };

  for (let j = 0; j < n; j++) enqueue(j);
  pump();
  // Heartbeats: every kiosk once per 30 s, spread over the period.
  let tick = 0;
  let seq = 1;
  setInterval(() => {
    tick = (tick + 1) % 30;
    for (let j = tick; j < n; j += 30) {
      const k = kiosks[j];
      if (k?.isOpen) k.heartbeat(seq++).catch(() => undefined);
    }
  }, 1000).unref();
  send({ started: true });
});
// Tens of thousands of expected socket errors (ECONNREFUSED while the relays restart): their stack traces,
// source-mapped under tsx, cost more than the connection attempt. The errno code is all this process uses.
Error.stackTraceLimit = 0;
// Exit normally when the benchmark ends, so `--cpu-prof` (RELAY_BENCH_GEN_NODE_ARGS) writes its profile.
process.on('SIGTERM', () => process.exit(0));
send({ ready: true });
