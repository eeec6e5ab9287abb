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
  /** Wrong enrollment codes per source per 10 minutes before that source's enrollments are throttled. */
  enrollFailuresPer10Min: number;
  /** Wrong codes per target (the name they were sent with, or none) per 10 minutes, from any sources. */
  enrollTargetFailuresPer10Min: number;
  /** Wrong codes per minute from all sources together before every enrollment is throttled. */
  enrollGlobalFailuresPerMinute: number;
  /** Alerts of one kind stored one by one per minute; beyond, they are rolled up into one with a count. */
  alertsPerKindPerMinute: number;
  /** A rolled-up alert covering this many events a minute is critical (a distributed attack). */
  distributedPerMinute: number;
  banMs: number;
}

export const DEFAULT_IDS: IdsOptions = {
  sourceFailuresPerMinute: 10,
  identityFailuresPerMinute: 3,
  flapConnectsPerMinute: 15,
  enrollFailuresPer10Min: 5,
  enrollTargetFailuresPer10Min: 10,
  enrollGlobalFailuresPerMinute: 30,
  alertsPerKindPerMinute: 20,
  distributedPerMinute: 100,
  banMs: 10 * 60_000,
};

interface RollUp {
  count: number;
  sources: Set<string>;
  kiosks: Set<string>;
  severity: 'info' | 'warning' | 'critical';
  codes: Set<string>;
}
/** Distinct subjects counted per rolled-up alert (the count of events is exact; this keeps memory bounded). */
const ROLLUP_SUBJECTS = 10_000;

const ALERT_EVERY_MS = 60_000;

class WindowCounter {
  readonly #windowMs: number;
  readonly #counts = new Map<string, { start: number; n: number }>();
  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }
  /** The count in `key`'s current window (0 when none). */
  count(key: string, now: number): number {
    const c = this.#counts.get(key);
    return c === undefined || now - c.start >= this.#windowMs ? 0 : c.n;
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
  readonly #enrollTargets = new WindowCounter(600_000);
  readonly #enrollGlobal = new WindowCounter(60_000);
  readonly #alertsPerKind = new WindowCounter(60_000);
  readonly #rollUps = new Map<AlertKind, RollUp>();
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
    this.#enrollTargets.sweep(now);
    this.#enrollGlobal.sweep(now);
    this.#alertsPerKind.sweep(now);
    for (const [k, t] of this.#lastAlert) if (now - t >= ALERT_EVERY_MS) this.#lastAlert.delete(k);
    this.flushRollUps();
  }

  /**
   * Stores one alert per kind for the alerts rolled up since the last flush (called every minute): the
   * count of events, how many distinct sources and kiosks, the codes. Critical when the count says the
   * events came from many places at once (a distributed attack), whatever each one's severity.
   */
  flushRollUps(): void {
    for (const [kind, r] of this.#rollUps) {
      const severity = r.count >= this.#opts.distributedPerMinute ? 'critical' : r.severity;
      this.#store(
        kind,
        severity,
        {},
        {
          rolledUp: true,
          count: r.count,
          sources: r.sources.size,
          kiosks: r.kiosks.size,
          codes: [...r.codes].sort().join(',').slice(0, 200),
        },
      );
    }
    this.#rollUps.clear();
  }

  #store(
    kind: AlertKind,
    severity: 'info' | 'warning' | 'critical',
    subject: { source?: string; kioskId?: string },
    detail: Record<string, string | number | boolean | null>,
  ): void {
    this.#metrics.inc('relay_alerts_total', { kind });
    this.#track(
      this.#control.raiseAlert({ kind, severity, ...subject, detail }).catch((err: unknown) => {
        this.#log.error('alert.store_failed', { kind, error: String(err) });
      }),
    );
  }

  #alert(
    kind: AlertKind,
    severity: 'info' | 'warning' | 'critical',
    subject: { source?: string; kioskId?: string },
    detail: Record<string, string | number | boolean | null>,
  ): void {
    const key = `${kind}|${subject.source ?? ''}|${subject.kioskId ?? ''}|${detail['target'] ?? ''}`;
    const now = this.#now();
    const last = this.#lastAlert.get(key);
    if (last !== undefined && now - last < ALERT_EVERY_MS) return;
    this.#lastAlert.set(key, now);
    if (this.#alertsPerKind.hit(kind, now) <= this.#opts.alertsPerKindPerMinute)
      return this.#store(kind, severity, subject, detail);
    // Many subjects at once (rotating sources): one alert with a count, so the alert store stays bounded.
    let r = this.#rollUps.get(kind);
    if (r === undefined) {
      r = { count: 0, sources: new Set(), kiosks: new Set(), severity, codes: new Set() };
      this.#rollUps.set(kind, r);
    }
    r.count++;
    if (severity === 'critical' || (severity === 'warning' && r.severity === 'info')) r.severity = severity;
    if (subject.source !== undefined && r.sources.size < ROLLUP_SUBJECTS) r.sources.add(subject.source);
    if (subject.kioskId !== undefined && r.kiosks.size < ROLLUP_SUBJECTS) r.kiosks.add(subject.kioskId);
    const code = detail['code'];
    if (typeof code === 'string' && r.codes.size < 20) r.codes.add(code);
  }

  #ban(scope: 'source' | 'identity', subject: string, reason: string): void {
    if (this.#control.bans.isBanned(scope, subject)) return;
    this.#control.bans.apply(scope, subject, this.#now() + this.#opts.banMs); // at once, before the write lands
    this.#alert('ban', 'critical', scope === 'source' ? { source: subject } : { kioskId: subject }, {
      scope,
      reason,
      minutes: this.#opts.banMs / 60_000,
    });
    // The ban and its audit record commit together (Control.ban); sessions are closed once they have.
    // If they cannot be stored, the ban is lifted here too: no action without its record.
    this.#track(
      this.#control.ban(scope, subject, this.#opts.banMs, reason).catch((err: unknown) => {
        this.#control.bans.apply(scope, subject, null);
        this.#log.error('ban.store_failed', { scope, error: String(err) });
      }),
    );
  }

  /** Alert and ban writes on their way to the database (each already catches its own failure). */
  readonly #pending = new Set<Promise<unknown>>();

  #track(write: Promise<unknown>): void {
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  /**
   * Resolves once every alert and ban write started so far (and any they start) has landed or failed: the
   * relay's stop waits for it before closing the database, tests wait for it instead of for time.
   */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /**
   * A failed or suspicious handshake, frame or message. `kioskId` only when the peer had authenticated:
   * then the strike counts against that identity alone (its source address may be shared with innocent
   * kiosks behind one router); an anonymous failure counts against its source address.
   */
  failure(kind: AlertKind, source: string, code: string, kioskId?: string): void {
    const now = this.#now();
    this.#metrics.inc('relay_errors_total', { code });
    const severity = kind === 'replay' ? 'critical' : 'warning';
    this.#alert(kind, severity, kioskId === undefined ? { source } : { source, kioskId }, { code });
    if (kioskId !== undefined) {
      if (this.#identityFailures.hit(kioskId, now) >= this.#opts.identityFailuresPerMinute)
        this.#ban('identity', kioskId, kind);
      return;
    }
    if (this.#sourceFailures.hit(source, now) >= this.#opts.sourceFailuresPerMinute)
      this.#ban('source', source, kind);
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

  /**
   * Whether an enrollment attempt may be checked at all: refused (throttled) while its source, its target
   * (the name it is sent with; `undefined` before the body is read) or the whole relay has seen too many
   * wrong codes. Throttling, not banning: it never touches the source's kiosk sessions, and never a code.
   */
  enrollAllowed(source: string, target?: string | null): boolean {
    const now = this.#now();
    if (this.#enrollFailures.count(source, now) >= this.#opts.enrollFailuresPer10Min) return false;
    if (this.#enrollGlobal.count('*', now) >= this.#opts.enrollGlobalFailuresPerMinute) return false;
    if (target === undefined) return true;
    return this.#enrollTargets.count(target ?? '', now) < this.#opts.enrollTargetFailuresPer10Min;
  }

  /** A wrong or expired enrollment code from `source`, sent with the name `target` (or none). */
  enrollFailure(source: string, code: string, target: string | null = null): void {
    this.#metrics.inc('relay_errors_total', { code });
    const now = this.#now();
    const n = this.#enrollFailures.hit(source, now);
    if (n >= this.#opts.enrollFailuresPer10Min)
      this.#alert('enroll-brute-force', 'critical', { source }, { failures: n, code });
    const t = this.#enrollTargets.hit(target ?? '', now);
    if (t >= this.#opts.enrollTargetFailuresPer10Min)
      this.#alert('enroll-guessing', 'critical', {}, { target: target ?? '(no name)', failures: t, code });
    const g = this.#enrollGlobal.hit('*', now);
    if (g >= this.#opts.enrollGlobalFailuresPerMinute)
      this.#alert('enroll-guessing', 'critical', {}, { target: '*', failuresPerMinute: g, code });
  }
}
