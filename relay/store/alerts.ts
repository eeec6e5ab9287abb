import { z } from 'zod';
import { text } from '../../protocol/index.js';
import type { Db } from '../../common/db.js';
import { appendInTx } from './audit.js';

export const AlertKind = z.enum([
  'handshake-failed',
  'unknown-key',
  'revoked-key',
  'replay',
  'malformed-frame',
  'flapping',
  'clone-suspected',
  'enroll-brute-force',
  'ban',
  'binding-mismatch',
  'vrs-alert',
  'vrs-unavailable',
  'kill-switch',
  'revocation',
  'operator-lockout',
  'device',
  /** A kiosk exceeded a message rate (token bucket per identity). */
  'rate-limit',
  /** A kiosk reported the outcome of a request the relay never answered to it. */
  'unsolicited-outcome',
  /** Wrong enrollment codes for one target or fleet-wide from many sources (distributed guessing). */
  'enroll-guessing',
  /** The kiosk listener hit a connection cap (rolled up: one alert per window with counts). */
  'connection-limit',
  /** This process lost the other relay processes' changes for a while and reloaded them. */
  'cluster-unsynced',
  /** The audit store refused records (disk full, database gone): the relay refuses requests until it takes them again. */
  'audit-unavailable',
  /** A topology self-check failed at start (relay/topology.ts): wrong routes, cluster disagreement, test keys. */
  'topology',
]);
export type AlertKind = z.infer<typeof AlertKind>;

export const AlertSeverity = z.enum(['info', 'warning', 'critical']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

const DetailValue = z.union([text(200), z.number(), z.boolean(), z.null()]);

export const Alert = z.object({
  id: z.number().int(),
  at: z.string(),
  kind: AlertKind,
  severity: AlertSeverity,
  source: z.string().nullable(),
  kioskId: z.string().nullable(),
  detail: z.record(z.string(), DetailValue),
  acknowledgedAt: z.string().nullable(),
  /** Who acknowledged it (an operator's name), and when a self-clearing alert cleared (device back to normal). */
  acknowledgedBy: z.string().nullable().optional(),
  clearedAt: z.string().nullable().optional(),
});
export type Alert = z.infer<typeof Alert>;

export interface AlertInput {
  kind: AlertKind;
  severity: AlertSeverity;
  source?: string | undefined;
  kioskId?: string | undefined;
  detail?: Record<string, string | number | boolean | null>;
}

interface AlertRow {
  id: string | number;
  at: Date | string;
  kind: AlertKind;
  severity: AlertSeverity;
  source: string | null;
  kiosk_id: string | null;
  detail: Record<string, string | number | boolean | null>;
  acknowledged_at: Date | string | null;
  acknowledged_by?: string | null;
  cleared_at?: Date | string | null;
}

const toAlert = (r: AlertRow): Alert => ({
  id: Number(r.id),
  at: new Date(r.at).toISOString(),
  kind: r.kind,
  severity: r.severity,
  source: r.source,
  kioskId: r.kiosk_id,
  detail: r.detail,
  acknowledgedAt: r.acknowledged_at === null ? null : new Date(r.acknowledged_at).toISOString(),
  acknowledgedBy: r.acknowledged_by ?? null,
  clearedAt:
    r.cleared_at === null || r.cleared_at === undefined ? null : new Date(r.cleared_at).toISOString(),
});

/** Stored alerts. Details hold ids, codes and counts only: never personal data. */
export class AlertStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async insert(input: AlertInput): Promise<Alert> {
    const r = await this.#db.query<AlertRow>(
      `INSERT INTO relay_alerts (kind, severity, source, kiosk_id, detail) VALUES ($1, $2, $3, $4, $5::jsonb)
       RETURNING *`,
      [
        input.kind,
        input.severity,
        input.source ?? null,
        input.kioskId ?? null,
        JSON.stringify(input.detail ?? {}),
      ],
    );
    return toAlert(r.rows[0] as AlertRow);
  }

  async list(options: { afterId?: number; limit?: number; unacknowledged?: boolean } = {}): Promise<Alert[]> {
    const r = await this.#db.query<AlertRow>(
      `SELECT * FROM relay_alerts WHERE id > $1 AND ($3::boolean IS NOT TRUE OR acknowledged_at IS NULL)
        ORDER BY id DESC LIMIT $2`,
      [options.afterId ?? 0, options.limit ?? 200, options.unacknowledged ?? false],
    );
    return r.rows.map(toAlert);
  }

  /** Acknowledges an alert; the acknowledgement and its audit record commit together. */
  async acknowledge(id: number, by = 'unknown'): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const r = await tx.query(
        `UPDATE relay_alerts SET acknowledged_at = COALESCE(acknowledged_at, now()),
                acknowledged_by = COALESCE(acknowledged_by, $2) WHERE id = $1`,
        [id, by],
      );
      if (r.affectedRows === 0) return false;
      await appendInTx(tx, [{ kind: 'alert.acknowledged', detail: { by, alertId: id } }]);
      return true;
    });
  }
}
