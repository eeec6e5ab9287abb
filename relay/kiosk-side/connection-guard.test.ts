import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openFileLimit } from '../file-limit.js';
import {
  ConnectionGuard,
  connectionLimits,
  type DropReason,
  type GuardedSocket,
} from './connection-guard.js';

class FakeSocket implements GuardedSocket {
  destroyed = false;
  #onClose: Array<(this: GuardedSocket) => void> = [];
  constructor(readonly remoteAddress: string) {}
  on(_event: 'close', listener: (this: GuardedSocket) => void): this {
    this.#onClose.push(listener);
    return this;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const l of this.#onClose) l.call(this);
  }
}

describe('connectionLimits', () => {
  it('derives every cap from the open-file limit, well below it', () => {
    const l = connectionLimits(20_000, 10_000);
    expect(l).toMatchObject({
      reserveFds: 400,
      maxConnections: 19_600,
      maxAnonymous: 1960,
      maxAnonymousPerSource: 64,
      shedAfterMs: 2000,
      opsMaxConnections: 100,
    });
    const small = connectionLimits(320, 1500);
    expect(small.maxConnections + small.reserveFds).toBe(320);
    expect(small.maxAnonymous).toBeLessThan(small.maxConnections);
    expect(small.maxAnonymousPerSource).toBeLessThan(small.maxAnonymous);
    expect(connectionLimits(20_000, 10_000, { maxAnonymousPerSource: 5 }).maxAnonymousPerSource).toBe(5);
  });

  it('reads this process limit', () => {
    expect(openFileLimit()).toBeGreaterThan(0);
  });
});

describe('ConnectionGuard', () => {
  const dropped: Array<[DropReason, string]> = [];
  const banned = new Set<string>();
  const guard = (o: Parameters<typeof connectionLimits>[2] = {}) =>
    new ConnectionGuard(connectionLimits(1000, 1000, { maxAnonymous: 4, maxAnonymousPerSource: 2, ...o }), {
      isBanned: (s) => banned.has(s),
      dropped: (reason, source) => dropped.push([reason, source]),
    });
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    dropped.length = 0;
    banned.clear();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('caps anonymous connections per source and in all; a verified hello frees the slot', () => {
    const g = guard();
    const a = [new FakeSocket('10.0.0.1'), new FakeSocket('::ffff:10.0.0.1'), new FakeSocket('10.0.0.1')];
    expect(a.map((s) => g.admit(s))).toEqual([true, true, false]);
    expect(dropped).toEqual([['per-source', '10.0.0.1']]);
    expect(a[2]!.destroyed).toBe(true);
    expect(g.admit(new FakeSocket('10.0.0.2'))).toBe(true);
    expect(g.admit(new FakeSocket('10.0.0.3'))).toBe(true);
    expect(g.admit(new FakeSocket('10.0.0.4'))).toBe(false); // 4 anonymous, none old enough to shed
    expect(dropped.at(-1)).toEqual(['anonymous', '10.0.0.4']);
    expect(g.authenticated(a[0]!)).toBe(1_000_000);
    expect(g.anonymous).toBe(3);
    expect(g.open).toBe(4);
    expect(g.admit(new FakeSocket('10.0.0.1'))).toBe(true);
    banned.add('10.0.0.9');
    expect(g.admit(new FakeSocket('10.0.0.9'))).toBe(false);
    expect(dropped.at(-1)).toEqual(['banned', '10.0.0.9']);
  });

  it('destroys an anonymous socket at the deadline from accept, not later, whatever it sent', () => {
    const g = guard();
    const s = new FakeSocket('10.0.0.1');
    g.admit(s);
    vi.advanceTimersByTime(500);
    const t = new FakeSocket('10.0.0.2');
    g.admit(t);
    vi.advanceTimersByTime(499);
    expect(s.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(s.destroyed).toBe(true);
    expect(t.destroyed).toBe(false);
    vi.advanceTimersByTime(500);
    expect(t.destroyed).toBe(true);
    expect(dropped).toEqual([
      ['deadline', '10.0.0.1'],
      ['deadline', '10.0.0.2'],
    ]);
    expect(g.anonymous).toBe(0);
    expect(g.open).toBe(0);
  });

  it('an authenticated socket is not closed by the guard; closing sockets give their slots back', () => {
    const g = guard();
    const s = new FakeSocket('10.0.0.1');
    g.admit(s);
    g.authenticated(s);
    vi.advanceTimersByTime(5000);
    expect(s.destroyed).toBe(false);
    const u = new FakeSocket('10.0.0.1');
    g.admit(u);
    u.destroy();
    expect(g.anonymous).toBe(0);
    expect(g.open).toBe(1);
    expect(dropped).toEqual([]);
  });

  it('at a cap, sheds the oldest anonymous connection once it is slow, so a new one gets in', () => {
    const g = guard({ shedAfterMs: 200 });
    const old = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((a) => new FakeSocket(a));
    for (const s of old) g.admit(s);
    vi.advanceTimersByTime(199);
    expect(g.admit(new FakeSocket('10.0.0.5'))).toBe(false);
    vi.advanceTimersByTime(1);
    const kiosk = new FakeSocket('10.0.0.6');
    expect(g.admit(kiosk)).toBe(true);
    expect(old[0]!.destroyed).toBe(true);
    expect(dropped.slice(-1)).toEqual([['shed', '10.0.0.1']]);
    expect(kiosk.destroyed).toBe(false);
  });

  it('keeps the total (sessions included) below maxConnections', () => {
    const g = guard({ maxConnections: 3, maxAnonymous: 3 });
    for (let i = 0; i < 3; i++) {
      const s = new FakeSocket(`10.0.1.${i}`);
      g.admit(s);
      g.authenticated(s);
    }
    expect(g.admit(new FakeSocket('10.0.2.1'))).toBe(false);
    expect(dropped).toEqual([['total', '10.0.2.1']]);
  });

  it('stays O(1) with many sockets: the FIFO compacts and the counts return to zero', () => {
    const g = guard({ maxAnonymous: 100_000, maxAnonymousPerSource: 100_000, maxConnections: 100_000 });
    const all: FakeSocket[] = [];
    for (let i = 0; i < 50_000; i++) {
      const s = new FakeSocket(`10.1.${i & 255}.${i >> 8}`);
      g.admit(s);
      all.push(s);
      if (i % 2 === 0) g.authenticated(s);
    }
    vi.advanceTimersByTime(1000);
    expect(g.anonymous).toBe(0);
    expect(all.filter((s) => s.destroyed)).toHaveLength(25_000);
    for (const s of all) s.destroy();
    expect(g.open).toBe(0);
  });
});
