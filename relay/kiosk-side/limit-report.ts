import type { Logger } from '../../common/log.js';
import type { DropReason } from './connection-guard.js';

/** Reasons that mean a cap was hit (they trigger a report); the others are only counted in it. */
const CAP_HIT: ReadonlySet<DropReason> = new Set(['per-source', 'anonymous', 'total', 'shed']);
const MAX_SOURCES = 10_000;
const SAMPLE = 5;

export type LimitReport = Record<DropReason, number> & {
  /** Distinct source addresses in the window (counted up to 10,000). */
  sources: number;
  /** A few of them, comma-separated. */
  sample: string;
  windowSeconds: number;
};

/**
 * Rolls connection-limit events up into one log line and one alert per window, however many sources: the
 * first cap hit is reported at once, later ones at most once per `everyMs` with counts, so a flood from
 * 21,000 addresses costs one alert a minute, not 21,000.
 */
export class LimitReporter {
  readonly #everyMs: number;
  readonly #log: Logger;
  readonly #raise: (report: LimitReport, severity: 'warning' | 'critical') => void;
  readonly #now: () => number;
  #counts = LimitReporter.#zero();
  #sources = new Set<string>();
  #capHits = 0;
  #windowStart = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    everyMs: number,
    log: Logger,
    raise: (report: LimitReport, severity: 'warning' | 'critical') => void,
    now: () => number = Date.now,
  ) {
    this.#everyMs = everyMs;
    this.#log = log;
    this.#raise = raise;
    this.#now = now;
  }

  static #zero(): Record<DropReason, number> {
    return { banned: 0, 'per-source': 0, anonymous: 0, total: 0, shed: 0, deadline: 0 };
  }

  dropped(reason: DropReason, source: string): void {
    this.#counts[reason]++;
    if (this.#sources.size < MAX_SOURCES) this.#sources.add(source);
    if (!CAP_HIT.has(reason)) return;
    this.#capHits++;
    if (this.#timer === undefined) {
      // Idle: report now, then roll up for a window.
      this.#report();
      this.#timer = setTimeout(() => this.#tick(), this.#everyMs);
      this.#timer.unref();
    }
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#capHits === 0) return; // quiet window: back to idle (the next hit reports at once)
    this.#report();
    this.#timer = setTimeout(() => this.#tick(), this.#everyMs);
    this.#timer.unref();
  }

  #report(): void {
    const now = this.#now();
    const c = this.#counts;
    const report: LimitReport = {
      ...c,
      sources: this.#sources.size,
      sample: [...this.#sources].slice(0, SAMPLE).join(','),
      windowSeconds: this.#windowStart === 0 ? 0 : Math.round((now - this.#windowStart) / 1000),
    };
    // A full listener locks every kiosk out; one busy source only itself.
    const severity = c.anonymous + c.total + c.shed > 0 ? 'critical' : 'warning';
    this.#log.warn('connections.limit', report);
    this.#raise(report, severity);
    this.#counts = LimitReporter.#zero();
    this.#sources = new Set();
    this.#capHits = 0;
    this.#windowStart = now;
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
