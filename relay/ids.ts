import type { Logger } from '../common/log.js';
import type { Control } from './control.js';
import type { Metrics } from './metrics.js';
import type { AlertKind } from './store/alerts.js';

export interface IdsOptions {
  /** Failures (bad handshakes, unknown keys, replays, malformed frames) per source per minute before a ban. */
  sourceFailuresPerMinute: number;
  /** Misbehaviour by one authenticated identity per minute before a ban. */
  identityFailuresPerMinute: number;
  /** Connections by one identity per minute that count as flapping. */
  flapConnectsPerMinute: number;
  /** Wrong enrollment codes per source per 10 minutes before a ban. */
  enrollFailuresPer10Min: number;
  banMs: number;
}

export const DEFAULT_IDS: IdsOptions = {
  sourceFailuresPerMinute: 10,
  identityFailuresPerMinute: 3,
  flapConnectsPerMinute: 15,
  enrollFailuresPer10Min: 5,
  banMs: 10 * 60_000,
};

const ALERT_EVERY_MS = 60_000;

class WindowCounter {
  readonly #windowMs: number;
  readonly #counts = new Map<string, { start: number; n: number }>();
  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }
  hit(key: string, now: number): number {
    const c = this.#counts.get(key);
    if (c === undefined || now - c.start >= this.#windowMs) {
      this.#counts.set(key, { start: now, n: 1 });
      return 1;
    }
    return ++c.n;
  }
  sweep(now: number): void {
    for (const [k, c] of this.#counts) if (now - c.start >= this.#windowMs) this.#counts.delete(k);
  }
}

/**
 * Intrusion detection and prevention. Every suspicious event is counted per source address (and per
 * identity when the peer authenticated); crossing a threshold raises an alert and a temporary ban that
 * all relay processes honour. Alerts of one kind from one subject are raised at most once a minute, so an
 * attack cannot flood the alert store.
 */
export class Ids {
  readonly #control: Control;
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #opts: IdsOptions;
  readonly #now: () => number;
  readonly #sourceFailures = new WindowCounter(60_000);
  readonly #identityFailures = new WindowCounter(60_000);
  readonly #connects = new WindowCounter(60_000);
  readonly #enrollFailures = new WindowCounter(600_000);
  readonly #lastAlert = new Map<string, number>();
  readonly #sweep: NodeJS.Timeout;

  constructor(
    control: Control,
    metrics: Metrics,
    log: Logger,
    opts: Partial<IdsOptions> = {},
    now = Date.now,
  ) {
    this.#control = control;
    this.#metrics = metrics;
    this.#log = log;
    this.#opts = { ...DEFAULT_IDS, ...opts };
    this.#now = now;
    this.#sweep = setInterval(() => this.#sweepAll(), 60_000);
    this.#sweep.unref();
  }

  close(): void {
    clearInterval(this.#sweep);
  }

  #sweepAll(): void {
    const now = this.#now();
    this.#sourceFailures.sweep(now);
    this.#identityFailures.sweep(now);
    this.#connects.sweep(now);
    this.#enrollFailures.sweep(now);
    for (const [k, t] of this.#lastAlert) if (now - t >= ALERT_EVERY_MS) this.#lastAlert.delete(k);
  }

  #alert(
    kind: AlertKind,
    severity: 'info' | 'warning' | 'critical',
    subject: { source?: string; kioskId?: string },
    detail: Record<string, string | number | boolean | null>,
  ): void {
    const key = `${kind}|${subject.source ?? ''}|${subject.kioskId ?? ''}`;
    const now = this.#now();
    const last = this.#lastAlert.get(key);
    if (last !== undefined && now - last < ALERT_EVERY_MS) return;
    this.#lastAlert.set(key, now);
    this.#metrics.inc('relay_alerts_total', { kind });
    this.#control.raiseAlert({ kind, severity, ...subject, detail }).catch((err: unknown) => {
      this.#log.error('alert.store_failed', { kind, error: String(err) });
    });
  }

  #ban(scope: 'source' | 'identity', subject: string, reason: string): void {
    if (this.#control.bans.isBanned(scope, subject)) return;
    this.#control.bans.apply(scope, subject, this.#now() + this.#opts.banMs); // at once, before the write lands
    this.#alert('ban', 'critical', scope === 'source' ? { source: subject } : { kioskId: subject }, {
      scope,
      reason,
      minutes: this.#opts.banMs / 60_000,
    });
    this.#control.ban(scope, subject, this.#opts.banMs, reason).catch((err: unknown) => {
      this.#log.error('ban.store_failed', { scope, error: String(err) });
    });
  }

  /** A failed or suspicious handshake or frame. `kioskId` only when the peer had authenticated. */
  failure(kind: AlertKind, source: string, code: string, kioskId?: string): void {
    const now = this.#now();
    this.#metrics.inc('relay_errors_total', { code });
    const severity = kind === 'replay' ? 'critical' : 'warning';
    this.#alert(kind, severity, kioskId === undefined ? { source } : { source, kioskId }, { code });
    if (this.#sourceFailures.hit(source, now) >= this.#opts.sourceFailuresPerMinute)
      this.#ban('source', source, kind);
    if (
      kioskId !== undefined &&
      this.#identityFailures.hit(kioskId, now) >= this.#opts.identityFailuresPerMinute
    ) {
      this.#ban('identity', kioskId, kind);
    }
  }

  /**
   * An anonymous connection that did not finish its handshake: closed at the deadline, or shed as the
   * oldest slow one when the listener was at a cap. Counts towards the source ban like a failed handshake,
   * but raises no alert per source: the connection guard raises one rolled-up alert for all of them.
   */
  slowHandshake(source: string): void {
    this.#metrics.inc('relay_errors_total', { code: 'CHANNEL_HANDSHAKE_TIMEOUT' });
    if (this.#sourceFailures.hit(source, this.#now()) >= this.#opts.sourceFailuresPerMinute)
      this.#ban('source', source, 'slow-handshake');
  }

  /** An authenticated identity connected; false when it is flapping (and is now banned). */
  connected(kioskId: string, source: string): boolean {
    const n = this.#connects.hit(kioskId, this.#now());
    if (n < this.#opts.flapConnectsPerMinute) return true;
    this.#alert('flapping', 'warning', { source, kioskId }, { connectsPerMinute: n });
    this.#ban('identity', kioskId, 'flapping');
    return false;
  }

  /**
   * A second session for one identity (possibly a cloned key). Critical when it comes from another source
   * address than the session it replaces; a warning otherwise (a kiosk reconnecting after a network blip
   * before the relay noticed its old connection was dead), or when the new session is on another process.
   */
  clone(kioskId: string, oldSource: string, newSource: string | undefined): void {
    const severity = newSource !== undefined && newSource !== oldSource ? 'critical' : 'warning';
    this.#alert(
      'clone-suspected',
      severity,
      { source: oldSource, kioskId },
      { newSource: newSource ?? 'other-process' },
    );
  }

  enrollFailure(source: string, code: string): void {
    this.#metrics.inc('relay_errors_total', { code });
    const n = this.#enrollFailures.hit(source, this.#now());
    if (n >= this.#opts.enrollFailuresPer10Min) {
      this.#alert('enroll-brute-force', 'critical', { source }, { failures: n });
      this.#ban('source', source, 'enroll-brute-force');
    }
  }
}
