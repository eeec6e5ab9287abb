import type { Db } from '../../common/db.js';
import type { Logger } from '../../common/log.js';
import type { AlertInput } from './alerts.js';
import { classifyHealth } from './health.js';

/** A relay process whose sample is older than this is taken as gone: its sessions count as offline. */
export const PROCESS_STALE_MS = 15_000;

export const FLEET_STATUSES = ['red', 'yellow', 'green', 'revoked'] as const;
export type FleetRowStatus = (typeof FLEET_STATUSES)[number];

export interface FleetFilter {
  status?: FleetRowStatus | 'trouble' | undefined;
  prefecture?: string | undefined;
  municipalities?: string[] | undefined;
  /** Store name or kiosk id prefix (case-insensitive). */
  q?: string | undefined;
  offset: number;
  limit: number;
}

export interface FleetRow {
  kioskId: string;
  store: string | null;
  name: string | null;
  municipality: string | null;
  prefecture: string | null;
  status: FleetRowStatus;
  issues: string[];
  online: boolean;
  lastSeenAt: string | null;
  software: string | null;
}

const STATUS_SQL = `CASE WHEN k.revoked_at IS NOT NULL THEN 'revoked'
  WHEN k.session_process IS NULL OR p.at IS NULL OR p.at < $1::timestamptz THEN 'red'
  ELSE k.device_status END`;

/** ISO time, or null (also for a time with no ISO form: PostgreSQL's `infinity`, as benchmarks write). */
const iso = (d: Date | string | null): string | null => {
  const t = d === null ? NaN : new Date(d).getTime();
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
};

interface Row {
  kiosk_id: string;
  store: string | null;
  name: string | null;
  municipality: string | null;
  prefecture: string | null;
  status: FleetRowStatus;
  device_issues: string;
  online: boolean;
  last_seen_at: Date | string | null;
  software: string | null;
  total?: string | number;
}

const toRow = (r: Row): FleetRow => {
  const issues = r.device_issues === '' ? [] : r.device_issues.split(',');
  if (!r.online && r.status !== 'revoked') issues.unshift('offline');
  return {
    kioskId: r.kiosk_id,
    store: r.store,
    name: r.name,
    municipality: r.municipality,
    prefecture: r.prefecture,
    status: r.status,
    issues,
    online: r.online,
    lastSeenAt: iso(r.last_seen_at),
    software: r.software,
  };
};

/**
 * The fleet as the dashboard sees it: where each kiosk is, whether it has a session (on a live relay
 * process), what its devices say. Session changes and device-health changes are written in small batches
 * (every 200 ms) and announced through `onChange`, so a dashboard shows a kiosk red within a second of the
 * relay noticing it gone. Queries page on the server: the browser never receives the whole fleet.
 */
export class FleetStore {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #sessions = new Map<string, { process: string; connected: boolean }>();
  readonly #health = new Map<string, unknown>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /** Set by close(): the database is about to close, so later changes are dropped, never written after it. */
  #closed = false;
  onChange: (kioskIds: string[]) => void = () => undefined;
  raiseAlert: (a: AlertInput) => Promise<unknown> = async () => undefined;
  onAlertCleared: (ids: number[]) => void = () => undefined;
  /** Whether the database answered this process's last live sample (written every second), and since when. */
  #database: { reachable: boolean; since: number; lastOkAt: number | undefined };

  constructor(db: Db, log: Logger, now: () => number = Date.now) {
    this.#db = db;
    this.#log = log;
    this.#now = now;
    this.#database = { reachable: true, since: now(), lastOkAt: undefined };
  }

  /** The database as this process last found it (the dashboard says "database unreachable" from this). */
  database(): { reachable: boolean; since: string; lastOkAt: string | null } {
    const d = this.#database;
    return {
      reachable: d.reachable,
      since: new Date(d.since).toISOString(),
      lastOkAt: d.lastOkAt === undefined ? null : new Date(d.lastOkAt).toISOString(),
    };
  }

  #reachable(ok: boolean): void {
    const now = this.#now();
    if (ok) this.#database.lastOkAt = now;
    if (this.#database.reachable === ok) return;
    this.#database = { ...this.#database, reachable: ok, since: now };
    if (ok) this.#log.info('db.reachable', {});
    else this.#log.warn('db.unreachable', {});
  }

  sessionChanged(kioskId: string, process: string, connected: boolean): void {
    this.#sessions.set(kioskId, { process, connected });
    this.#schedule();
  }

  /** A kiosk's device health changed class or issues (the endpoint compares; this writes and alerts). */
  healthChanged(kioskId: string, health: unknown): void {
    this.#health.set(kioskId, health);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushing.then(() => this.flush());
    }, 200);
    this.#timer.unref?.();
  }

  async flush(): Promise<void> {
    const sessions = [...this.#sessions];
    const health = [...this.#health];
    this.#sessions.clear();
    this.#health.clear();
    if (sessions.length === 0 && health.length === 0) return;
    try {
      const on = sessions.filter(([, s]) => s.connected).map(([id, s]) => ({ id, p: s.process }));
      const off = sessions.filter(([, s]) => !s.connected).map(([id, s]) => ({ id, p: s.process }));
      if (on.length > 0)
        await this.#db.query(
          `UPDATE relay_kiosks k SET session_process = v.p
             FROM jsonb_to_recordset($1::jsonb) AS v(id text, p text) WHERE k.kiosk_id = v.id`,
          [JSON.stringify(on)],
        );
      if (off.length > 0)
        await this.#db.query(
          `UPDATE relay_kiosks k SET session_process = NULL
             FROM jsonb_to_recordset($1::jsonb) AS v(id text, p text)
            WHERE k.kiosk_id = v.id AND k.session_process = v.p`,
          [JSON.stringify(off)],
        );
      for (let i = 0; i < health.length; i += 1000) await this.#writeHealth(health.slice(i, i + 1000));
    } catch (err) {
      this.#log.warn('fleet.flush_failed', { error: err instanceof Error ? err.message : 'error' });
    }
    const ids = [...new Set([...sessions.map(([id]) => id), ...health.map(([id]) => id)])];
    this.onChange(ids);
  }

  /**
   * Writes a batch of health reports: last health for all, and for the kiosks whose class or issues changed
   * a history row, and device alerts raised for new issues and cleared for issues gone (one open alert per
   * issue). A reconnect storm of 57,000 kiosks reporting the same health costs one SELECT and one UPDATE
   * per 1,000 kiosks.
   */
  async #writeHealth(batch: Array<[string, unknown]>): Promise<void> {
    const at = new Date(this.#now()).toISOString();
    const ids = batch.map(([id]) => id);
    const before = await this.#db.query<{ kiosk_id: string; device_status: string; device_issues: string }>(
      'SELECT kiosk_id, device_status, device_issues FROM relay_kiosks WHERE kiosk_id = ANY($1::text[])',
      [ids],
    );
    const old = new Map(before.rows.map((r) => [r.kiosk_id, `${r.device_status}|${r.device_issues}`]));
    const rows = batch.map(([id, health]) => {
      const c = classifyHealth(health);
      return { id, status: c.status, issues: c.issues.join(','), health: health ?? null, list: c.issues };
    });
    const changed = rows.filter((r) => old.get(r.id) !== `${r.status}|${r.issues}`);
    await this.#db.transaction(async (tx) => {
      await tx.query(
        `UPDATE relay_kiosks k SET device_status = v.status, device_issues = v.issues, last_health = v.health,
                last_seen_at = $2
           FROM jsonb_to_recordset($1::jsonb) AS v(id text, status text, issues text, health jsonb)
          WHERE k.kiosk_id = v.id`,
        [JSON.stringify(rows.map(({ list: _l, ...r }) => r)), at],
      );
      if (changed.length > 0)
        await tx.query(
          `INSERT INTO relay_kiosk_health (kiosk_id, at, status, issues, health)
           SELECT v.id, $2, v.status, v.issues, v.health
             FROM jsonb_to_recordset($1::jsonb) AS v(id text, status text, issues text, health jsonb)`,
          [JSON.stringify(changed.map(({ list: _l, ...r }) => r)), at],
        );
    });
    if (changed.length === 0) return;
    const open = await this.#db.query<{ id: string | number; kiosk_id: string; issue: string }>(
      `SELECT id, kiosk_id, detail->>'issue' AS issue FROM relay_alerts
        WHERE kind = 'device' AND kiosk_id = ANY($1::text[]) AND cleared_at IS NULL`,
      [changed.map((r) => r.id)],
    );
    const openIssues = new Set(open.rows.map((r) => `${r.kiosk_id}|${r.issue}`));
    const now = new Map(changed.map((r) => [r.id, new Set(r.list)]));
    const cleared = open.rows.filter((r) => !now.get(r.kiosk_id)?.has(r.issue)).map((r) => Number(r.id));
    if (cleared.length > 0) {
      await this.#db.query('UPDATE relay_alerts SET cleared_at = $2 WHERE id = ANY($1::bigint[])', [
        cleared,
        at,
      ]);
      this.onAlertCleared(cleared);
    }
    for (const r of changed) {
      for (const issue of r.list) {
        if (openIssues.has(`${r.id}|${issue}`) || issue === 'health.missing') continue;
        await this.raiseAlert({
          kind: 'device',
          severity: /\.(fault|disconnected)$/.test(issue) ? 'critical' : 'warning',
          kioskId: r.id,
          detail: { issue },
        });
      }
    }
  }

  #staleBefore(): string {
    return new Date(this.#now() - PROCESS_STALE_MS).toISOString();
  }

  async page(f: FleetFilter): Promise<{ total: number; rows: FleetRow[] }> {
    const params: unknown[] = [this.#staleBefore()];
    const where: string[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.prefecture !== undefined) where.push(`k.prefecture = ${p(f.prefecture)}`);
    if (f.municipalities !== undefined) where.push(`k.municipality = ANY(${p(f.municipalities)}::text[])`);
    if (f.q !== undefined && f.q !== '') {
      // The text is matched literally: LIKE's wildcards and escape character are escaped.
      const like = `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      const idPrefix = /^[A-Za-z0-9-]+$/.test(f.q) ? ` OR k.kiosk_id LIKE ${p(`${f.q}%`)}` : '';
      const l = p(like);
      where.push(`(k.store ILIKE ${l} OR k.name ILIKE ${l}${idPrefix})`);
    }
    let statusWhere = '';
    if (f.status === 'trouble') statusWhere = `WHERE status IN ('red', 'yellow')`;
    else if (f.status !== undefined) statusWhere = `WHERE status = ${p(f.status)}`;
    // One scan for the page and the total (a window count over the filtered rows, taken before LIMIT).
    const sql = `SELECT *, count(*) OVER () AS total FROM (
        SELECT k.kiosk_id, k.store, k.name, k.municipality, k.prefecture, ${STATUS_SQL} AS status, k.device_issues,
               (k.session_process IS NOT NULL AND p.at >= $1::timestamptz) AS online, k.last_seen_at,
               k.last_health->>'software' AS software
          FROM relay_kiosks k LEFT JOIN relay_processes p ON p.id = k.session_process
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}) f
      ${statusWhere}
      ORDER BY CASE status WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2 ELSE 3 END,
               prefecture, municipality, store, kiosk_id
      LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`;
    const countSql = `SELECT count(*) AS n FROM (
        SELECT ${STATUS_SQL} AS status FROM relay_kiosks k LEFT JOIN relay_processes p ON p.id = k.session_process
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}) f ${statusWhere}`;
    const countParams = params.slice(0, params.length - 2);
    const rows = await this.#db.query<Row>(sql, params);
    const first = rows.rows[0];
    if (first !== undefined) return { total: Number(first.total ?? 0), rows: rows.rows.map(toRow) };
    // Past the last row (or nothing matches): the total needs its own count.
    if (f.offset === 0) return { total: 0, rows: [] };
    const count = await this.#db.query<{ n: string | number }>(countSql, countParams);
    return { total: Number(count.rows[0]?.n ?? 0), rows: [] };
  }

  /** Per prefecture: kiosks, red, yellow (revoked ones left out). */
  async map(): Promise<Array<{ prefecture: string; total: number; red: number; yellow: number }>> {
    const r = await this.#db.query<{ prefecture: string; total: string; red: string; yellow: string }>(
      `SELECT prefecture, count(*) AS total, count(*) FILTER (WHERE status = 'red') AS red,
              count(*) FILTER (WHERE status = 'yellow') AS yellow
         FROM (SELECT k.prefecture, ${STATUS_SQL} AS status
                 FROM relay_kiosks k LEFT JOIN relay_processes p ON p.id = k.session_process
                WHERE k.revoked_at IS NULL) f
        GROUP BY prefecture`,
      [this.#staleBefore()],
    );
    return r.rows
      .filter((x) => x.prefecture !== null)
      .map((x) => ({
        prefecture: x.prefecture,
        total: Number(x.total),
        red: Number(x.red),
        yellow: Number(x.yellow),
      }));
  }

  async kiosk(
    kioskId: string,
  ): Promise<(FleetRow & { health: unknown; enrolledAt: string; revokedReason: string | null }) | undefined> {
    const r = await this.#db.query<
      Row & { last_health: unknown; enrolled_at: Date | string; revoked_reason: string | null }
    >(
      `SELECT k.kiosk_id, k.store, k.name, k.municipality, k.prefecture, ${STATUS_SQL} AS status, k.device_issues,
              (k.session_process IS NOT NULL AND p.at >= $1::timestamptz) AS online, k.last_seen_at,
              k.last_health->>'software' AS software, k.last_health, k.enrolled_at, k.revoked_reason
         FROM relay_kiosks k LEFT JOIN relay_processes p ON p.id = k.session_process WHERE k.kiosk_id = $2`,
      [this.#staleBefore(), kioskId],
    );
    const row = r.rows[0];
    if (row === undefined) return undefined;
    return {
      ...toRow(row),
      health: row.last_health,
      enrolledAt: iso(row.enrolled_at) ?? '',
      revokedReason: row.revoked_reason,
    };
  }

  async history(
    kioskId: string,
    limit = 50,
  ): Promise<Array<{ at: string; status: string; issues: string[] }>> {
    const r = await this.#db.query<{ at: Date | string; status: string; issues: string }>(
      'SELECT at, status, issues FROM relay_kiosk_health WHERE kiosk_id = $1 ORDER BY at DESC LIMIT $2',
      [kioskId, limit],
    );
    return r.rows.map((x) => ({
      at: iso(x.at) ?? '',
      status: x.status,
      issues: x.issues === '' ? [] : x.issues.split(','),
    }));
  }

  /** This process's live sample, for the other processes' dashboards (and the staleness they show). */
  async publishSample(process: string, sample: unknown): Promise<void> {
    try {
      await this.#db.query(
        `INSERT INTO relay_processes (id, at, sample) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at, sample = EXCLUDED.sample`,
        [process, new Date(this.#now()).toISOString(), JSON.stringify(sample)],
      );
    } catch (err) {
      this.#reachable(false);
      throw err;
    }
    this.#reachable(true);
  }

  async processes(): Promise<Array<{ id: string; at: string; ageMs: number; sample: unknown }>> {
    const r = await this.#db.query<{ id: string; at: Date | string; sample: unknown }>(
      `SELECT id, at, sample FROM relay_processes WHERE at > $1 ORDER BY id`,
      [new Date(this.#now() - 10 * 60_000).toISOString()],
    );
    const now = this.#now();
    return r.rows.map((x) => ({
      id: x.id,
      at: iso(x.at) ?? '',
      ageMs: Math.max(0, now - new Date(x.at).getTime()) || 0,
      sample: x.sample,
    }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    await this.flush();
  }
}
