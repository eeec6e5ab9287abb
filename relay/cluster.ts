import { z } from 'zod';
import type { Db } from '../common/db.js';
import type { Logger } from '../common/log.js';
import { Alert } from './store/alerts.js';

/** The NOTIFY channel the relay processes sharing one database use to follow each other's changes. */
export const CLUSTER_CHANNEL = 'relay_cluster';

export const ClusterEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('kiosk'), kioskId: z.string(), status: z.enum(['active', 'revoked']) }),
  z.object({
    type: z.literal('ban'),
    scope: z.enum(['source', 'identity']),
    subject: z.string(),
    until: z.number().nullable(),
  }),
  z.object({ type: z.literal('stop'), scope: z.string(), stopped: z.boolean() }),
  z.object({ type: z.literal('alert'), alert: Alert }),
  /** Kiosks whose session or device health changed (dashboards refresh); `cleared`: device alerts that cleared. */
  z.object({
    type: z.literal('fleet'),
    kioskIds: z.array(z.string()).max(50),
    count: z.number().int(),
    cleared: z.array(z.number().int()).max(200).optional(),
  }),
  /** Sessions just established on `process`: any other process holding one of these kiosks drops it. */
  z.object({
    type: z.literal('sessions'),
    process: z.string(),
    at: z.number(),
    kioskIds: z.array(z.string()).max(200),
  }),
  /** An operator's access was taken away or changed: every process forgets the sessions/tokens it remembers. */
  z.object({ type: z.literal('operator'), name: z.string().max(64) }),
  /** A process's probe of its own subscription: it expects to hear it back (others ignore it). */
  z.object({ type: z.literal('probe'), process: z.string().max(64), seq: z.number().int() }),
]);
export type ClusterEvent = z.infer<typeof ClusterEvent>;
/** The events a process acts on (probes are the cluster's own business). */
export type AppliedEvent = Exclude<ClusterEvent, { type: 'probe' }>;

export type ParsedEvent =
  { ok: true; event: ClusterEvent } | { ok: false; reason: 'json' | 'schema'; at: string };

/** Parses one NOTIFY payload from `unknown` text; never throws. */
export function parseClusterEvent(payload: string): ParsedEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'json', at: '' };
  }
  const r = ClusterEvent.safeParse(raw);
  if (r.success) return { ok: true, event: r.data };
  return { ok: false, reason: 'schema', at: (r.error.issues[0]?.path ?? []).join('.').slice(0, 64) };
}

export interface ClusterOptions {
  log: Logger;
  /** This process's id (its probes carry it). */
  processId: string;
  /** How often a process on a server probes its subscription (default 5 s). */
  probeMs?: number | undefined;
  /** A probe not heard back within this time means the subscription is deaf: it is restarted (10 s). */
  probeTimeoutMs?: number | undefined;
  now?: () => number;
}

export interface ClusterStatus {
  /** `postgres`: several processes may follow each other; `single-process`: embedded PGlite, one process. */
  mode: 'postgres' | 'single-process';
  /** This process has every change the others published (its subscription is live and it has reloaded). */
  synced: boolean;
  /** When the current gap began (ISO), or null when synced. */
  staleSince: string | null;
  staleSeconds: number;
  /** Seconds since this process last heard its own probe back (how far behind it can be unnoticed). */
  echoAgeSeconds: number | null;
  lastSyncAt: string | null;
  lastGapReason: string | null;
  gaps: number;
  resyncs: number;
  unparsableEvents: number;
}

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 5000;

/**
 * Publishes changes to every relay process sharing the database (this one included: handlers are
 * idempotent, so the local change may be applied twice), and makes sure this process has not missed any.
 *
 * NOTIFY is fire-and-forget: a process whose LISTEN connection is down misses events for good. So the
 * subscription is supervised (`Db.listen` reports gaps), and after any gap the process is *unsynced* until
 * its subscription is back and it has reloaded kiosks, bans and stops from the tables (`reload`, which
 * applies what changed); events arriving during the reload are held and applied after it. While unsynced,
 * the relay refuses new sessions and requests (`RELAY_CLUSTER_UNSYNCED`). A connection that stays open but
 * delivers nothing is caught by a probe: the process NOTIFYs itself every `probeMs` and restarts its
 * subscription when it does not hear the probe within `probeTimeoutMs`.
 */
export class Cluster {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #processId: string;
  readonly #probeMs: number;
  readonly #probeTimeoutMs: number;
  readonly #now: () => number;
  #unlisten: (() => Promise<void>) | undefined;
  #onEvent: (ev: AppliedEvent) => void = () => undefined;
  #reload: () => Promise<void> = async () => undefined;
  #synced = false;
  #staleSince: number | undefined;
  #lastSyncAt: number | undefined;
  #lastGapReason: string | null = null;
  #gaps = 0;
  #resyncs = 0;
  #unparsable = 0;
  #lastUnparsableLog = 0;
  #epoch = 0;
  #held: AppliedEvent[] | undefined;
  #retryMs = FIRST_RETRY_MS;
  #retry: NodeJS.Timeout | undefined;
  #probe: NodeJS.Timeout | undefined;
  #probeSeq = 0;
  #probeOut: { seq: number; at: number } | undefined;
  #lastEcho: number | undefined;
  #stopped = false;

  constructor(db: Db, options: ClusterOptions) {
    this.#db = db;
    this.#log = options.log;
    this.#processId = options.processId;
    this.#probeMs = options.probeMs ?? 5000;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#staleSince = this.#now();
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Subscribes, then loads the state (`reload`); throws when either fails. */
  async start(onEvent: (ev: AppliedEvent) => void, reload: () => Promise<void>): Promise<void> {
    this.#onEvent = onEvent;
    this.#reload = reload;
    this.#unlisten = await this.#db.listen(CLUSTER_CHANNEL, (payload) => this.#receive(payload), {
      onGap: (reason) => this.#gap(reason),
      onResume: () => void this.#resync(),
    });
    await this.#resync(true);
    if (this.#db.kind === 'postgres') {
      this.#probe = setInterval(() => this.#sendProbe(), this.#probeMs);
      this.#probe.unref();
    }
  }

  status(): ClusterStatus {
    const now = this.#now();
    return {
      mode: this.#db.kind === 'postgres' ? 'postgres' : 'single-process',
      synced: this.#synced,
      staleSince: this.#staleSince === undefined ? null : new Date(this.#staleSince).toISOString(),
      staleSeconds: this.#staleSince === undefined ? 0 : (now - this.#staleSince) / 1000,
      echoAgeSeconds: this.#lastEcho === undefined ? null : (now - this.#lastEcho) / 1000,
      lastSyncAt: this.#lastSyncAt === undefined ? null : new Date(this.#lastSyncAt).toISOString(),
      lastGapReason: this.#lastGapReason,
      gaps: this.#gaps,
      resyncs: this.#resyncs,
      unparsableEvents: this.#unparsable,
    };
  }

  #receive(payload: string): void {
    const p = parseClusterEvent(payload);
    if (!p.ok) {
      this.#unparsable++;
      const now = this.#now();
      if (now - this.#lastUnparsableLog >= 10_000) {
        this.#lastUnparsableLog = now;
        // Size and where it failed only: the payload itself is not copied into the log.
        this.#log.warn('cluster.unparsable_event', {
          reason: p.reason,
          at: p.at,
          bytes: payload.length,
          total: this.#unparsable,
        });
      }
      return;
    }
    const ev = p.event;
    if (ev.type === 'probe') {
      if (ev.process === this.#processId && this.#probeOut !== undefined && ev.seq >= this.#probeOut.seq) {
        this.#probeOut = undefined;
        this.#lastEcho = this.#now();
      }
      return;
    }
    if (this.#held !== undefined) this.#held.push(ev);
    else this.#onEvent(ev);
  }

  #gap(reason: string): void {
    if (this.#stopped) return;
    this.#epoch++;
    this.#gaps++;
    this.#lastGapReason = reason.slice(0, 200);
    this.#probeOut = undefined;
    this.#held = undefined;
    if (this.#synced) {
      this.#log.warn('cluster.unsynced', { reason: this.#lastGapReason });
      this.#synced = false;
      this.#staleSince = this.#now();
    }
  }

  async #resync(initial = false): Promise<void> {
    if (this.#stopped) return;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    const epoch = this.#epoch;
    const held: AppliedEvent[] = [];
    this.#held = held;
    try {
      await this.#reload();
    } catch (err) {
      if (initial) throw err;
      if (epoch !== this.#epoch || this.#stopped) return;
      this.#held = undefined;
      this.#log.warn('cluster.reload_failed', { error: err instanceof Error ? err.message : 'error' });
      this.#retry = setTimeout(() => void this.#resync(), this.#retryMs);
      this.#retry.unref();
      this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
      return;
    }
    // A gap during the reload: its resume starts another one.
    if (epoch !== this.#epoch || this.#held !== held || this.#stopped) return;
    this.#held = undefined;
    for (const ev of held) this.#onEvent(ev);
    const now = this.#now();
    const gapMs = this.#staleSince === undefined ? 0 : now - this.#staleSince;
    this.#synced = true;
    this.#staleSince = undefined;
    this.#lastSyncAt = now;
    this.#lastEcho = now;
    this.#retryMs = FIRST_RETRY_MS;
    if (!initial) {
      this.#resyncs++;
      this.#log.info('cluster.resynced', { gapMs, reason: this.#lastGapReason });
      this.onResynced?.(gapMs, this.#lastGapReason ?? '');
    }
  }

  /** Called after a resync (not the first load), for an alert. */
  onResynced: ((gapMs: number, reason: string) => void) | undefined;

  #sendProbe(): void {
    if (this.#stopped) return;
    const now = this.#now();
    const out = this.#probeOut;
    if (out !== undefined) {
      if (now - out.at < this.#probeTimeoutMs) return;
      this.#probeOut = undefined;
      this.#log.warn('cluster.probe_lost', { seq: out.seq, waitedMs: now - out.at });
      this.#db.restartListener('probe not heard back');
      return;
    }
    if (!this.#synced) return; // the subscription is being re-established
    const seq = ++this.#probeSeq;
    this.#probeOut = { seq, at: now };
    this.publish({ type: 'probe', process: this.#processId, seq }).catch(() => undefined);
  }

  async publish(ev: ClusterEvent): Promise<void> {
    await this.#db.notify(CLUSTER_CHANNEL, JSON.stringify(ev));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#probe !== undefined) clearInterval(this.#probe);
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    await this.#unlisten?.();
    this.#unlisten = undefined;
  }
}
