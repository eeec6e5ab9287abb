import { nodeCrypto } from '../../../common/crypto-node.js';
import { parseKey } from '../../../protocol/index.js';
import { TestKiosk } from '../test-kiosk.js';
import { fleetIdentity } from './fleet.js';
import { onMessage, send } from './ipc.js';

/**
 * Sessions-benchmark load generator (one process holds thousands of kiosks). Each kiosk connects to
 * `urls[i % urls.length]`, counts as authenticated once its first heartbeat is acknowledged, sends a
 * heartbeat every 30 s, and reconnects like a real kiosk when its session drops: after a random delay
 * (0–`jitterMs`), then with exponential backoff while the relay refuses or is down.
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
    }
  | { cmd: 'count' };

let authenticated = 0;
let attempts = 0;
let failures = 0;

onMessage<Cmd>(async (m) => {
  if (m.cmd === 'count') return send({ authenticated, attempts, failures, rss: process.memoryUsage().rss });
  const relayKey = parseKey(m.relayKey)!;
  const queue: number[] = [];
  let active = 0;
  const kiosks = new Map<number, TestKiosk>();
  const pump = () => {
    while (active < m.concurrency && queue.length > 0) {
      const i = queue.shift()!;
      active++;
      void connect(i, 0).finally(() => {
        active--;
        pump();
      });
    }
  };
  const schedule = (i: number, delay: number) => {
    setTimeout(() => {
      queue.push(i);
      pump();
    }, delay).unref();
  };
  const identities = new Map<number, ReturnType<typeof fleetIdentity>>();
  const identity = (i: number) => {
    let id = identities.get(i);
    if (id === undefined) identities.set(i, (id = fleetIdentity(m.base, i)));
    return id;
  };
  const connect = async (i: number, failed: number): Promise<void> => {
    attempts++;
    const url = m.urls[i % m.urls.length]!;
    const r = await TestKiosk.connect(url, relayKey, {
      identity: identity(i),
      crypto: nodeCrypto,
      localAddress: m.localAddress,
    });
    if (!r.ok) {
      failures++;
      return schedule(i, Math.min(500 * 2 ** failed, 5000) * (0.5 + Math.random()));
    }
    const k = r.kiosk;
    kiosks.set(i, k);
    let counted = false;
    void k.closed.then(() => {
      kiosks.delete(i);
      if (counted) authenticated--;
      schedule(i, Math.random() * m.jitterMs);
    });
    try {
      await k.heartbeat(0);
      if (!k.ws.readyState || k.closeCode !== undefined) return;
      counted = true;
      authenticated++;
    } catch {
      k.ws.terminate();
    }
  };
  for (let i = m.from; i < m.to; i++) queue.push(i);
  pump();
  // Heartbeats: every kiosk once per 30 s, spread over the period.
  let tick = 0;
  setInterval(() => {
    tick = (tick + 1) % 30;
    let seq = 1;
    for (const [i, k] of kiosks) {
      if (i % 30 !== tick || k.closeCode !== undefined) continue;
      k.heartbeat(seq++).catch(() => undefined);
    }
  }, 1000).unref();
  send({ started: true });
});
send({ ready: true });
