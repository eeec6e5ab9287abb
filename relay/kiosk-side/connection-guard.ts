import { sourceOf } from './refuse.js';

/**
 * The kiosk listener's connection budget, derived from the process's open-file limit (`connectionLimits`).
 * A connection is *anonymous* from accept until its hello is verified (a signed hello from an enrolled,
 * unbanned key); only anonymous connections count against `maxAnonymous` and `maxAnonymousPerSource`.
 */
export interface ConnectionLimits {
  /** The process's soft open-file limit (`ulimit -n`) the defaults were derived from. */
  fileLimit: number;
  /** Descriptors the kiosk listener never takes: the operations listener, the database, files, VRS links. */
  reserveFds: number;
  /** Kiosk-listener connections of every kind (sessions included): `fileLimit − reserveFds` by default. */
  maxConnections: number;
  /** Anonymous connections in all. */
  maxAnonymous: number;
  /** Anonymous connections from one source address. */
  maxAnonymousPerSource: number;
  /** Hard deadline from accept to a completed handshake; the socket is destroyed then, whatever trickles in. */
  deadlineMs: number;
  /** At a cap, the oldest anonymous connection is shed for a new one once it is at least this old. */
  shedAfterMs: number;
  /** Connections the operations listener accepts (it lives in the reserve). */
  opsMaxConnections: number;
  /** A cap hit is logged and alerted at once, then rolled up: at most one report per this many ms. */
  reportEveryMs: number;
}

export type ConnectionLimitOverrides = Partial<Omit<ConnectionLimits, 'fileLimit' | 'deadlineMs'>>;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(v)));

/**
 * Defaults from the open-file limit `fileLimit` (20,000 on the relay: reserve 400, 19,600
 * connections, 1,960 anonymous, 64 per source). Overrides win; the result is checked for consistency.
 */
export function connectionLimits(
  fileLimit: number,
  deadlineMs: number,
  o: ConnectionLimitOverrides = {},
): ConnectionLimits {
  const reserveFds = o.reserveFds ?? clamp(fileLimit * 0.02, 64, 4096);
  const maxConnections = o.maxConnections ?? Math.max(16, fileLimit - reserveFds);
  const maxAnonymous = o.maxAnonymous ?? clamp(maxConnections / 10, 16, 4096);
  const limits: ConnectionLimits = {
    fileLimit,
    reserveFds,
    maxConnections,
    maxAnonymous: Math.min(maxAnonymous, maxConnections),
    maxAnonymousPerSource: o.maxAnonymousPerSource ?? clamp(maxAnonymous / 8, 2, 64),
    deadlineMs,
    shedAfterMs: o.shedAfterMs ?? Math.max(50, Math.floor(deadlineMs / 5)),
    opsMaxConnections: o.opsMaxConnections ?? clamp(reserveFds / 4, 16, 1024),
    reportEveryMs: o.reportEveryMs ?? 60_000,
  };
  if (limits.maxAnonymousPerSource > limits.maxAnonymous) limits.maxAnonymousPerSource = limits.maxAnonymous;
  return limits;
}

/** Why a connection was closed by the guard (metrics label `reason`). */
export type DropReason = 'banned' | 'per-source' | 'anonymous' | 'total' | 'shed' | 'deadline';

/** The socket surface the guard needs (a `net.Socket`; fakes in unit tests). */
export interface GuardedSocket {
  readonly remoteAddress?: string | undefined;
  destroy(): void;
  on(event: 'close', listener: (this: GuardedSocket) => void): unknown;
}

export interface GuardEvents {
  isBanned(source: string): boolean;
  /** A connection was refused at accept or closed (shed, deadline) by the guard. */
  dropped(reason: DropReason, source: string): void;
}

interface Entry {
  readonly socket: GuardedSocket;
  readonly source: string;
  readonly acceptedAt: number;
  live: boolean;
}

/**
 * Admission control for the kiosk listener, in O(1) per connection. Every accepted socket is counted until
 * it closes; anonymous ones also per source and in a FIFO ordered by accept time, which is also deadline
 * order (one deadline for all), so one timer armed for the head enforces every deadline, and the head is
 * the one to shed. Entries leave the FIFO lazily (a flag), popped when they reach the head.
 *
 * Node's `headersTimeout` is no deadline: it is checked every `connectionsCheckingInterval` (30 s) and only
 * for requests still reading headers, so a slowloris connection lived 15–40 s. Here the socket is
 * destroyed at the deadline whatever it has sent.
 */
export class ConnectionGuard {
  readonly limits: ConnectionLimits;
  readonly #events: GuardEvents;
  readonly #now: () => number;
  readonly #entries = new Map<GuardedSocket, Entry>();
  readonly #perSource = new Map<string, number>();
  #queue: Entry[] = [];
  #head = 0;
  #open = 0;
  #anonymous = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #onClose: (this: GuardedSocket) => void;

  constructor(limits: ConnectionLimits, events: GuardEvents, now: () => number = Date.now) {
    this.limits = limits;
    this.#events = events;
    this.#now = now;
    // One listener function for every socket (no closure per connection).
    const closed = (s: GuardedSocket) => this.#socketClosed(s);
    this.#onClose = function (this: GuardedSocket) {
      closed(this);
    };
  }

  /** Sockets accepted and not yet closed (sessions included). */
  get open(): number {
    return this.#open;
  }

  /** Sockets whose hello has not been verified yet. */
  get anonymous(): number {
    return this.#anonymous;
  }

  /** Called on `connection`: false when the socket was refused (and destroyed). */
  admit(socket: GuardedSocket): boolean {
    const source = sourceOf(socket.remoteAddress);
    if (this.#closed) return this.#refuse(socket, 'total', source);
    if (this.#events.isBanned(source)) return this.#refuse(socket, 'banned', source);
    const fromSource = this.#perSource.get(source) ?? 0;
    if (fromSource >= this.limits.maxAnonymousPerSource) return this.#refuse(socket, 'per-source', source);
    const now = this.#now();
    if (this.#open >= this.limits.maxConnections && !this.#shed(now))
      return this.#refuse(socket, 'total', source);
    if (this.#anonymous >= this.limits.maxAnonymous && !this.#shed(now))
      return this.#refuse(socket, 'anonymous', source);
    const e: Entry = { socket, source, acceptedAt: now, live: true };
    this.#entries.set(socket, e);
    this.#perSource.set(source, fromSource + 1);
    this.#anonymous++;
    this.#open++;
    socket.on('close', this.#onClose);
    this.#queue.push(e);
    this.#arm(now);
    return true;
  }

  /**
   * The socket's hello was verified: it no longer counts as anonymous. Returns its accept time (the
   * handshake's deadline still runs from it), or undefined for a socket the guard does not hold.
   */
  authenticated(socket: GuardedSocket): number | undefined {
    const e = this.#entries.get(socket);
    if (e === undefined) return undefined;
    this.#release(e);
    return e.acceptedAt;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #refuse(socket: GuardedSocket, reason: DropReason, source: string): false {
    socket.destroy();
    this.#events.dropped(reason, source);
    return false;
  }

  #socketClosed(socket: GuardedSocket): void {
    this.#open--;
    const e = this.#entries.get(socket);
    if (e !== undefined) this.#release(e);
  }

  #release(e: Entry): void {
    if (!e.live) return;
    e.live = false;
    this.#entries.delete(e.socket);
    this.#anonymous--;
    const n = (this.#perSource.get(e.source) ?? 1) - 1;
    if (n <= 0) this.#perSource.delete(e.source);
    else this.#perSource.set(e.source, n);
  }

  /** The oldest live anonymous entry (dead ones popped on the way). */
  #peek(): Entry | undefined {
    const q = this.#queue;
    while (this.#head < q.length && !(q[this.#head] as Entry).live) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
    return this.#queue[this.#head];
  }

  /** Frees a slot by closing the oldest anonymous connection if it is slow; false when none is. */
  #shed(now: number): boolean {
    const e = this.#peek();
    if (e === undefined || now - e.acceptedAt < this.limits.shedAfterMs) return false;
    this.#expire(e, 'shed');
    return true;
  }

  #expire(e: Entry, reason: 'shed' | 'deadline'): void {
    this.#release(e);
    e.socket.destroy();
    this.#events.dropped(reason, e.source);
  }

  #arm(now: number): void {
    if (this.#timer !== undefined || this.#closed) return;
    const e = this.#peek();
    if (e === undefined) return;
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, e.acceptedAt + this.limits.deadlineMs - now));
    this.#timer.unref();
  }

  #onTimer(): void {
    this.#timer = undefined;
    const now = this.#now();
    for (let e = this.#peek(); e !== undefined; e = this.#peek()) {
      if (e.acceptedAt + this.limits.deadlineMs > now) break;
      this.#expire(e, 'deadline');
    }
    this.#arm(now);
  }
}
