import type { Db, DbTx } from '../common/db.js';
import type { Logger } from '../common/log.js';
import { Cluster, type AppliedEvent, type ClusterEvent, type ClusterStatus } from './cluster.js';
import { AlertStore, type Alert, type AlertInput } from './store/alerts.js';
import { AuditLog, type AuditInput } from './store/audit.js';
import { BanList, type BanScope } from './store/bans.js';
import { EnrollmentCodes, type CodePlace, type RedeemResult } from './store/enrollment.js';
import { FleetStore } from './store/fleet.js';
import { KioskRegistry } from './store/kiosks.js';
import { migrate } from './store/schema.js';
import { StopList } from './store/stops.js';

export interface ControlOptions {
  db: Db;
  log: Logger;
  webhookUrl?: string | undefined;
  now?: () => number;
  /** This process's id (cluster probes); default: random. */
  processId?: string;
  cluster?: { probeMs?: number | undefined; probeTimeoutMs?: number | undefined } | undefined;
}

type Listener<T> = (value: T) => void;

/**
 * The relay's control plane: every stored state (kiosks, codes, bans, kill switch, alerts, audit) and every
 * operator action. Each action is audited, applied locally at once, and published to the other relay
 * processes sharing the database, which apply it as well (revocation closes sessions everywhere).
 */
export class Control {
  readonly db: Db;
  readonly audit: AuditLog;
  readonly kiosks: KioskRegistry;
  readonly codes: EnrollmentCodes;
  readonly bans: BanList;
  readonly stops: StopList;
  readonly alerts: AlertStore;
  /** Where kiosks are and how they are, for the dashboard. */
  readonly fleet: FleetStore;
  readonly #fleetListeners = new Set<Listener<Extract<ClusterEvent, { type: 'fleet' }>>>();
  readonly #operatorListeners = new Set<Listener<string>>();
  readonly #resyncListeners = new Set<() => void>();
  readonly #cluster: Cluster;
  readonly #unpublished: AppliedEvent[] = [];
  #republish: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #log: Logger;
  readonly #webhookUrl: string | undefined;
  readonly #alertListeners = new Set<Listener<Alert>>();
  readonly #revokeListeners = new Set<Listener<string>>();
  readonly #stopListeners = new Set<Listener<{ scope: string; stopped: boolean }>>();
  readonly #banListeners = new Set<Listener<{ scope: BanScope; subject: string }>>();
  readonly #sessionListeners = new Set<Listener<Extract<ClusterEvent, { type: 'sessions' }>>>();

  constructor(options: ControlOptions) {
    this.db = options.db;
    this.#log = options.log;
    this.#webhookUrl = options.webhookUrl;
    this.audit = new AuditLog(this.db);
    this.kiosks = new KioskRegistry(this.db);
    this.codes = new EnrollmentCodes(this.db, options.now);
    this.bans = new BanList(this.db, options.now);
    this.stops = new StopList(this.db);
    this.alerts = new AlertStore(this.db);
    this.#cluster = new Cluster(this.db, {
      log: options.log.child('cluster'),
      processId: options.processId ?? Math.random().toString(36).slice(2),
      probeMs: options.cluster?.probeMs,
      probeTimeoutMs: options.cluster?.probeTimeoutMs,
    });
    this.#cluster.onResynced = (gapMs, reason) => {
      this.raiseAlert({
        kind: 'cluster-unsynced',
        severity: 'warning',
        detail: { gapMs, reason: reason.slice(0, 200) },
      }).catch((err: unknown) => this.#log.error('alert.store_failed', { error: String(err) }));
    };
    this.fleet = new FleetStore(this.db, this.#log.child('fleet'), options.now);
    this.fleet.raiseAlert = (a) => this.raiseAlert(a);
    let cleared: number[] = [];
    this.fleet.onAlertCleared = (ids) => cleared.push(...ids);
    this.fleet.onChange = (ids) => {
      const ev = {
        type: 'fleet' as const,
        kioskIds: ids.slice(0, 50),
        count: ids.length,
        cleared: cleared.slice(0, 200),
      };
      cleared = [];
      void this.#publish(ev);
    };
  }

  async start(): Promise<void> {
    await migrate(this.db);
    await this.#cluster.start(
      (ev) => this.#apply(ev),
      () => this.#reload(),
    );
  }

  /**
   * Whether this process is sure to have every revocation, ban and stop made by the other processes; while
   * it is not, it refuses new sessions and requests (`RELAY_CLUSTER_UNSYNCED`).
   */
  get synced(): boolean {
    return this.#cluster.synced;
  }

  clusterStatus(): ClusterStatus {
    return this.#cluster.status();
  }

  /** Reads kiosks, bans and stops from the tables and acts on what changed (sessions closed, notices). */
  async #reload(): Promise<void> {
    const [revoked, banned, stops] = await Promise.all([
      this.kiosks.load(),
      this.bans.load(),
      this.stops.load(),
    ]);
    for (const id of revoked) for (const fn of this.#revokeListeners) fn(id);
    for (const b of banned) for (const fn of this.#banListeners) fn(b);
    for (const s of stops) for (const fn of this.#stopListeners) fn(s);
    // Operator notices may have been lost in the gap: what the processes remember of sessions goes.
    for (const fn of this.#resyncListeners) fn();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.audit.close();
    if (this.#republish !== undefined) clearTimeout(this.#republish);
    await this.fleet.close();
    await this.#cluster.stop();
  }

  onFleet(fn: Listener<Extract<ClusterEvent, { type: 'fleet' }>>): () => void {
    this.#fleetListeners.add(fn);
    return () => this.#fleetListeners.delete(fn);
  }

  onAlert(fn: Listener<Alert>): () => void {
    this.#alertListeners.add(fn);
    return () => this.#alertListeners.delete(fn);
  }
  onRevoked(fn: Listener<string>): () => void {
    this.#revokeListeners.add(fn);
    return () => this.#revokeListeners.delete(fn);
  }
  onStop(fn: Listener<{ scope: string; stopped: boolean }>): () => void {
    this.#stopListeners.add(fn);
    return () => this.#stopListeners.delete(fn);
  }
  onBan(fn: Listener<{ scope: BanScope; subject: string }>): () => void {
    this.#banListeners.add(fn);
    return () => this.#banListeners.delete(fn);
  }

  /** An operator's access was taken away or changed, on any process. */
  onOperatorRevoked(fn: Listener<string>): () => void {
    this.#operatorListeners.add(fn);
    return () => this.#operatorListeners.delete(fn);
  }

  /** This process (re)read the shared state after a gap in its cluster subscription (and at start). */
  onResync(fn: () => void): () => void {
    this.#resyncListeners.add(fn);
    return () => this.#resyncListeners.delete(fn);
  }

  /** Tells every process that `name`'s sessions and tokens are to be checked against the database again. */
  async operatorRevoked(name: string): Promise<void> {
    await this.#publish({ type: 'operator', name });
  }

  onSessions(fn: Listener<Extract<ClusterEvent, { type: 'sessions' }>>): () => void {
    this.#sessionListeners.add(fn);
    return () => this.#sessionListeners.delete(fn);
  }

  /** Tells the other processes which kiosks just got a session here (batched by the caller). */
  async announceSessions(process: string, at: number, kioskIds: string[]): Promise<void> {
    await this.#cluster.publish({ type: 'sessions', process, at, kioskIds });
  }

  #apply(ev: AppliedEvent): void {
    switch (ev.type) {
      case 'kiosk':
        this.kiosks.apply(ev.kioskId, ev.status);
        if (ev.status === 'revoked') for (const fn of this.#revokeListeners) fn(ev.kioskId);
        return;
      case 'ban':
        this.bans.apply(ev.scope, ev.subject, ev.until);
        if (ev.until !== null)
          for (const fn of this.#banListeners) fn({ scope: ev.scope, subject: ev.subject });
        return;
      case 'stop':
        this.stops.apply(ev.scope, ev.stopped);
        for (const fn of this.#stopListeners) fn({ scope: ev.scope, stopped: ev.stopped });
        return;
      case 'alert':
        for (const fn of this.#alertListeners) fn(ev.alert);
        return;
      case 'sessions':
        for (const fn of this.#sessionListeners) fn(ev);
        return;
      case 'fleet':
        for (const fn of this.#fleetListeners) fn(ev);
        return;
      case 'operator':
        for (const fn of this.#operatorListeners) fn(ev.name);
        return;
      default: {
        const never: never = ev;
        return never;
      }
    }
  }

  async #publish(ev: AppliedEvent): Promise<void> {
    this.#apply(ev);
    try {
      await this.#cluster.publish(ev);
    } catch (err) {
      // The change is stored but the others did not hear of it: publish it again until they do (events
      // are idempotent). A process that was not listening meanwhile reloads the tables anyway.
      this.#log.error('cluster.publish_failed', { type: ev.type, error: String(err) });
      this.#unpublished.push(ev);
      this.#republishSoon();
    }
  }

  #republishSoon(): void {
    if (this.#republish !== undefined || this.#closed) return;
    this.#republish = setTimeout(() => {
      this.#republish = undefined;
      const evs = this.#unpublished.splice(0);
      void (async () => {
        for (const [i, ev] of evs.entries()) {
          try {
            await this.#cluster.publish(ev);
          } catch {
            this.#unpublished.unshift(...evs.slice(i));
            return this.#republishSoon();
          }
        }
      })();
    }, 1000);
    this.#republish.unref();
  }

  /** Stores an alert, pushes it to every process's dashboard streams, and posts it to the webhook. */
  async raiseAlert(input: AlertInput): Promise<Alert> {
    let alert: Alert;
    try {
      alert = await this.alerts.insert(input);
    } catch (err) {
      // The database cannot take it (full, or gone): this process's streams and the webhook still get it.
      const unstored: Alert = {
        id: 0,
        at: new Date().toISOString(),
        kind: input.kind,
        severity: input.severity,
        source: input.source ?? null,
        kioskId: input.kioskId ?? null,
        detail: input.detail ?? {},
        acknowledgedAt: null,
      };
      for (const fn of this.#alertListeners) fn(unstored);
      if (this.#webhookUrl !== undefined) void this.#postWebhook(unstored);
      throw err;
    }
    this.#log.warn('alert', {
      kind: alert.kind,
      severity: alert.severity,
      source: alert.source,
      kioskId: alert.kioskId,
    });
    try {
      await this.#cluster.publish({ type: 'alert', alert });
    } catch (err) {
      this.#log.error('cluster.publish_failed', { type: 'alert', error: String(err) });
      for (const fn of this.#alertListeners) fn(alert);
    }
    if (this.#webhookUrl !== undefined) void this.#postWebhook(alert);
    return alert;
  }

  async #postWebhook(alert: Alert): Promise<void> {
    try {
      const res = await fetch(this.#webhookUrl as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'relay.alert', alert }),
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) this.#log.warn('alert.webhook_status', { status: res.status, id: alert.id });
    } catch (err) {
      this.#log.warn('alert.webhook_failed', {
        id: alert.id,
        error: err instanceof Error ? err.name : 'error',
      });
    }
  }

  /**
   * Runs an action's row changes and its audit records in ONE transaction: both commit or neither does.
   * `fn` returns the action's value and the records to append (none: nothing to audit, e.g. not found).
   */
  async #audited<T>(fn: (tx: DbTx) => Promise<{ value: T; audit: AuditInput[] }>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const { value, audit } = await fn(tx);
      await this.audit.appendInTx(tx, audit);
      return value;
    });
  }

  /** A one-time enrollment code for a kiosk that will stand at `place` (store, municipality). */
  async createEnrollCode(
    name: string | undefined,
    ttlMs: number | undefined,
    by: string,
    place: CodePlace = {},
  ) {
    return this.#audited(async (tx) => {
      const out = await this.codes.createIn(tx, { name, ttlMs, ...place });
      return {
        value: out,
        audit: [
          {
            kind: 'enroll.code-created',
            municipality: place.municipality,
            detail: {
              by,
              kioskName: name ?? null,
              store: place.store ?? null,
              municipality: place.municipality ?? null,
              expiresAt: out.expiresAt,
            },
          },
        ],
      };
    });
  }

  async enroll(
    input: { code: string; publicKey: string; name?: string | undefined },
    source: string,
  ): Promise<RedeemResult> {
    const r = await this.codes.redeem(input, async (tx, result) => {
      await this.audit.appendInTx(tx, [
        {
          kind: result.ok ? 'kiosk.enrolled' : 'kiosk.enroll-refused',
          kioskId: result.ok ? result.kioskId : undefined,
          detail: { source, code: result.ok ? null : result.code },
        },
      ]);
    });
    if (r.ok) await this.#publish({ type: 'kiosk', kioskId: r.kioskId, status: 'active' });
    return r;
  }

  async revoke(kioskId: string, reason: string, by: string): Promise<boolean> {
    const found = await this.#audited(async (tx) => {
      const found = await this.kiosks.revokeIn(tx, kioskId, reason);
      return {
        value: found,
        audit: found ? [{ kind: 'kiosk.revoked', kioskId, detail: { by, reason } }] : [],
      };
    });
    if (!found) return false;
    await this.#publish({ type: 'kiosk', kioskId, status: 'revoked' });
    await this.raiseAlert({ kind: 'revocation', severity: 'info', kioskId, detail: { by } });
    return true;
  }

  async stopIssuance(scope: string, reason: string, by: string): Promise<void> {
    await this.#audited(async (tx) => {
      await this.stops.stopIn(tx, scope, reason, by);
      return {
        value: undefined,
        audit: [
          {
            kind: 'issuance.stopped',
            municipality: scope === 'fleet' ? undefined : scope,
            detail: { scope, reason, by },
          },
        ],
      };
    });
    await this.#publish({ type: 'stop', scope, stopped: true });
    await this.raiseAlert({ kind: 'kill-switch', severity: 'critical', detail: { scope, reason, by } });
  }

  async resumeIssuance(scope: string, by: string): Promise<boolean> {
    const found = await this.#audited(async (tx) => {
      const found = await this.stops.resumeIn(tx, scope);
      return { value: found, audit: found ? [{ kind: 'issuance.resumed', detail: { scope, by } }] : [] };
    });
    await this.#publish({ type: 'stop', scope, stopped: false });
    return found;
  }

  async ban(scope: BanScope, subject: string, durationMs: number, reason: string): Promise<void> {
    const until = await this.#audited(async (tx) => {
      const until = await this.bans.banIn(tx, scope, subject, durationMs, reason);
      return {
        value: until,
        audit: [
          {
            kind: 'ban.added',
            kioskId: scope === 'identity' ? subject : undefined,
            detail: {
              scope,
              subject: scope === 'identity' ? null : subject,
              reason,
              until: new Date(until).toISOString(),
            },
          },
        ],
      };
    });
    await this.#publish({ type: 'ban', scope, subject, until });
  }

  async liftBan(scope: BanScope, subject: string, by: string): Promise<boolean> {
    const found = await this.#audited(async (tx) => {
      const found = await this.bans.liftIn(tx, scope, subject);
      return { value: found, audit: found ? [{ kind: 'ban.lifted', detail: { scope, subject, by } }] : [] };
    });
    await this.#publish({ type: 'ban', scope, subject, until: null });
    return found;
  }
}
