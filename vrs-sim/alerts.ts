import { randomBytes } from 'node:crypto';
import type { Db } from '../common/db.js';
import type { Logger } from '../common/log.js';

/** Kinds of intrusion-detection alert VRS raises (and forwards to the relay as `vrs.alert`). */
export type AlertKind =
  | 'not-channel'
  | 'handshake-failed'
  | 'unknown-peer'
  | 'frame-refused'
  | 'malformed-message'
  | 'malformed-request'
  | 'misrouted-request'
  | 'replayed-request'
  | 'forged-card'
  | 'replayed-auth'
  | 'many-residents'
  | 'record-corrupt'
  | 'key-missing'
  | 'key-mismatch'
  | 'shredded-key-present';

export type AlertSeverity = 'info' | 'warning' | 'critical';

const SEVERITY: Record<AlertKind, AlertSeverity> = {
  'not-channel': 'warning',
  'handshake-failed': 'warning',
  'unknown-peer': 'critical',
  'frame-refused': 'critical',
  'malformed-message': 'warning',
  'malformed-request': 'warning',
  'misrouted-request': 'critical',
  'replayed-request': 'critical',
  'forged-card': 'critical',
  'replayed-auth': 'critical',
  'many-residents': 'critical',
  'record-corrupt': 'critical',
  'key-missing': 'critical',
  'key-mismatch': 'critical',
  'shredded-key-present': 'critical',
};

export interface Alert {
  alertId: string;
  kind: AlertKind;
  severity: AlertSeverity;
  kioskId?: string;
  /** Free text with identifiers only (never personal data): source address, codes, counts. */
  detail: string;
  at: number;
}

/**
 * Raises alerts: kept locally (`vrs_alert`), logged, and handed to every subscriber (the endpoint sends
 * them to connected relays). The same kind from the same source within `coalesceMs` is counted, not
 * repeated, so a flood of bad connections cannot become a flood of alerts.
 */
export class AlertCenter {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #coalesceMs: number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();
  readonly #subscribers = new Set<(a: Alert) => void>();
  readonly #recent: Alert[] = [];
  #pending: Promise<unknown> = Promise.resolve();

  constructor(options: { db: Db; log: Logger; coalesceMs?: number }) {
    this.#db = options.db;
    this.#log = options.log;
    this.#coalesceMs = options.coalesceMs ?? 10_000;
  }

  subscribe(fn: (a: Alert) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /** The latest alerts (newest last), for tests and the CLI. */
  recent(): readonly Alert[] {
    return this.#recent;
  }

  /** Waits until every stored alert is written. */
  async flushed(): Promise<void> {
    await this.#pending;
  }

  raise(kind: AlertKind, detail: { source: string; kioskId?: string; text?: string }): Alert | undefined {
    const now = Date.now();
    const key = `${kind}\0${detail.kioskId ?? detail.source}`;
    const last = this.#last.get(key);
    if (last !== undefined && now - last.at < this.#coalesceMs) {
      last.suppressed++;
      return undefined;
    }
    const suppressed = last?.suppressed ?? 0;
    this.#last.set(key, { at: now, suppressed: 0 });
    if (this.#last.size > 10_000) this.#last.clear();
    const text = [
      detail.text,
      `source=${detail.source}`,
      suppressed > 0 ? `coalesced=${suppressed}` : undefined,
    ]
      .filter((x) => x !== undefined)
      .join(' ')
      .slice(0, 500);
    const alert: Alert = {
      alertId: randomBytes(12).toString('base64url'),
      kind,
      severity: SEVERITY[kind],
      ...(detail.kioskId !== undefined ? { kioskId: detail.kioskId } : {}),
      detail: text,
      at: now,
    };
    this.#recent.push(alert);
    if (this.#recent.length > 200) this.#recent.shift();
    this.#log.warn('alert', {
      kind,
      severity: alert.severity,
      alertId: alert.alertId,
      kioskId: detail.kioskId,
      source: detail.source,
    });
    this.#pending = this.#pending
      .then(() =>
        this.#db.query('INSERT INTO vrs_alert (kind, detail) VALUES ($1, $2)', [kind, JSON.stringify(alert)]),
      )
      .catch((err: unknown) =>
        this.#log.error('alert.store_failed', { error: err instanceof Error ? err.name : 'error' }),
      );
    for (const fn of this.#subscribers) fn(alert);
    return alert;
  }
}

/**
 * "One kiosk asking for many different residents": distinct resident hashes per kiosk in a sliding
 * window. `note()` returns true when this lookup takes the kiosk over the threshold.
 */
export class ResidentSpread {
  readonly #windowMs: number;
  readonly #threshold: number;
  readonly #seen = new Map<string, Map<string, number>>();

  constructor(options: { windowMs?: number; threshold?: number } = {}) {
    this.#windowMs = options.windowMs ?? 10 * 60_000;
    this.#threshold = options.threshold ?? 8;
  }

  /** Records a lookup by `kioskId` of resident `residentKey`; true when the kiosk is now over the limit. */
  note(kioskId: string, residentKey: string, now = Date.now()): boolean {
    let m = this.#seen.get(kioskId);
    if (m === undefined) {
      m = new Map();
      this.#seen.set(kioskId, m);
    }
    for (const [k, t] of m) if (now - t > this.#windowMs) m.delete(k);
    m.set(residentKey, now);
    return m.size > this.#threshold;
  }
}
