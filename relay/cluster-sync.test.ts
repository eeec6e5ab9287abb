import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db, ListenEvents } from '../common/db.js';
import { createLogger } from '../common/log.js';
import { Cluster, parseClusterEvent, type AppliedEvent } from './cluster.js';
import { startTestRelay } from './testing/harness.js';

/** A Db whose subscription a test drives: deliver payloads, cut it, resume it. */
function fakeDb(kind: 'postgres' | 'pglite' = 'postgres') {
  let onPayload: (p: string) => void = () => undefined;
  let events: ListenEvents = {};
  const notified: string[] = [];
  const restarts: string[] = [];
  const db = {
    kind,
    async listen(_c: string, fn: (p: string) => void, ev?: ListenEvents) {
      onPayload = fn;
      events = ev ?? {};
      return async () => undefined;
    },
    restartListener: (reason: string) => restarts.push(reason),
    async notify(_c: string, payload: string) {
      notified.push(payload);
    },
  } as unknown as Db;
  return {
    db,
    notified,
    restarts,
    deliver: (p: string) => onPayload(p),
    gap: (reason: string) => events.onGap?.(reason),
    resume: () => events.onResume?.(),
  };
}

const revoked = (kioskId: string): AppliedEvent => ({ type: 'kiosk', kioskId, status: 'revoked' });

describe('Cluster (supervised subscription)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is unsynced from a gap until it has reloaded; events arriving during the reload are applied after it', async () => {
    const f = fakeDb();
    const lines: string[] = [];
    const c = new Cluster(f.db, { log: createLogger('t', (l) => lines.push(l)), processId: 'p1' });
    const applied: string[] = [];
    let reloads = 0;
    let release: () => void = () => undefined;
    await c.start(
      (ev) => applied.push(ev.type === 'kiosk' ? `${ev.kioskId}:${ev.status}` : ev.type),
      async () => {
        reloads++;
        if (reloads > 1) await new Promise<void>((r) => (release = r));
        applied.push(`reload${reloads}`);
      },
    );
    expect(c.synced).toBe(true);
    f.gap('terminating connection due to administrator command');
    expect(c.synced).toBe(false);
    expect(c.status()).toMatchObject({ synced: false, gaps: 1, mode: 'postgres' });
    expect(lines.some((l) => l.includes('cluster.unsynced'))).toBe(true);
    f.resume();
    f.deliver(JSON.stringify(revoked('k1'))); // arrives while the reload runs
    expect(c.synced).toBe(false);
    expect(applied).toEqual(['reload1']);
    release();
    await vi.waitFor(() => expect(c.synced).toBe(true));
    expect(applied).toEqual(['reload1', 'reload2', 'k1:revoked']);
    expect(c.status()).toMatchObject({ synced: true, resyncs: 1, staleSeconds: 0 });
    await c.stop();
  });

  it('retries a reload that fails, staying unsynced meanwhile', async () => {
    vi.useFakeTimers();
    const f = fakeDb();
    const c = new Cluster(f.db, { log: createLogger('t', () => undefined), processId: 'p1' });
    let fail = false;
    await c.start(
      () => undefined,
      async () => {
        if (fail) throw new Error('database unreachable');
      },
    );
    fail = true;
    f.gap('connection ended');
    f.resume();
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.synced).toBe(false);
    fail = false;
    await vi.advanceTimersByTimeAsync(5000);
    expect(c.synced).toBe(true);
    await c.stop();
  });

  it('counts and logs payloads that do not parse, without copying them', async () => {
    const f = fakeDb();
    const lines: string[] = [];
    const c = new Cluster(f.db, { log: createLogger('t', (l) => lines.push(l)), processId: 'p1' });
    const applied: AppliedEvent[] = [];
    await c.start(
      (ev) => applied.push(ev),
      async () => undefined,
    );
    f.deliver('{not json');
    f.deliver(JSON.stringify({ type: 'kiosk', kioskId: 'secret-looking', status: 'gone' }));
    f.deliver(JSON.stringify(revoked('k2')));
    expect(applied).toEqual([revoked('k2')]);
    expect(c.status().unparsableEvents).toBe(2);
    const logged = lines.filter((l) => l.includes('cluster.unparsable_event'));
    expect(logged).toHaveLength(1); // one line per 10 s; the count is exact
    expect(logged[0]).not.toContain('not json');
    expect(parseClusterEvent('{"type":"stop","scope":"fleet"}')).toMatchObject({
      ok: false,
      reason: 'schema',
      at: 'stopped',
    });
    await c.stop();
  });

  it('restarts a subscription that no longer hears its own probe', async () => {
    vi.useFakeTimers();
    const f = fakeDb();
    const c = new Cluster(f.db, {
      log: createLogger('t', () => undefined),
      processId: 'p1',
      probeMs: 1000,
      probeTimeoutMs: 3000,
    });
    await c.start(
      () => undefined,
      async () => undefined,
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.notified).toHaveLength(1);
    f.deliver(f.notified[0] as string); // heard back
    expect(c.status().echoAgeSeconds).toBe(0);
    await vi.advanceTimersByTimeAsync(1000); // second probe, never delivered
    expect(f.notified).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(3000);
    expect(f.restarts).toEqual(['probe not heard back']);
    // Another process's probe is not ours.
    f.deliver(JSON.stringify({ type: 'probe', process: 'p2', seq: 99 }));
    await c.stop();
  });

  it('on embedded PGlite there is one process: always synced, no probes', async () => {
    const t = await startTestRelay();
    try {
      expect(t.relay.control.clusterStatus()).toMatchObject({
        mode: 'single-process',
        synced: true,
        gaps: 0,
      });
      const res = await fetch(`${t.relay.info.ops}/api/status`, { headers: t.opsHeaders });
      expect(((await res.json()) as { cluster: unknown }).cluster).toMatchObject({ mode: 'single-process' });
    } finally {
      await t.stop();
    }
  }, 120_000);
});
