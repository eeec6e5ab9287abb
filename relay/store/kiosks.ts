import type { Db, DbTx } from '../../common/db.js';
import { RelayError } from '../errors.js';
import { isKioskId } from './keys.js';

export type KioskStatus = 'unknown' | 'active' | 'revoked';

export interface KioskRecord {
  kioskId: string;
  name: string | null;
  enrolledAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
  lastSeenAt: string | null;
  lastHealth: unknown;
}

interface KioskRow {
  kiosk_id: string;
  name: string | null;
  enrolled_at: Date | string;
  revoked_at: Date | string | null;
  revoked_reason: string | null;
  last_seen_at: Date | string | null;
  last_health: unknown;
}

const iso = (d: Date | string | null): string | null =>
  d === null ? null : (d instanceof Date ? d : new Date(d)).toISOString();

/**
 * Enrolled kiosks. The status of every kiosk is cached in memory (57,000 entries are a few MB) so the
 * handshake's `isKnownPeer` answers without a database round trip; `apply` keeps the cache in step with
 * changes made by other relay processes (they arrive as NOTIFY events).
 */
export class KioskRegistry {
  readonly #db: Db;
  readonly #status = new Map<string, 'active' | 'revoked'>();

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * (Re)loads every kiosk's status; returns the kiosks revoked since the cache last knew them (after a gap
   * in the cluster subscription: their sessions must be closed). Revocation stays final in the cache.
   */
  async load(): Promise<string[]> {
    const r = await this.#db.query<{ kiosk_id: string; revoked: boolean }>(
      'SELECT kiosk_id, revoked_at IS NOT NULL AS revoked FROM relay_kiosks',
    );
    const newlyRevoked: string[] = [];
    const seen = new Set<string>();
    for (const row of r.rows) {
      seen.add(row.kiosk_id);
      const was = this.#status.get(row.kiosk_id);
      if (row.revoked) {
        if (was === 'active') newlyRevoked.push(row.kiosk_id);
        this.#status.set(row.kiosk_id, 'revoked');
      } else if (was !== 'revoked') {
        this.#status.set(row.kiosk_id, 'active');
      }
    }
    for (const id of this.#status.keys()) if (!seen.has(id)) this.#status.delete(id);
    return newlyRevoked;
  }

  status(kioskId: string): KioskStatus {
    return this.#status.get(kioskId) ?? 'unknown';
  }

  get activeCount(): number {
    let n = 0;
    for (const s of this.#status.values()) if (s === 'active') n++;
    return n;
  }

  /** Applies a change seen elsewhere (another process, or this one) to the cache. */
  apply(kioskId: string, status: 'active' | 'revoked'): void {
    if (this.#status.get(kioskId) === 'revoked') return; // revocation is final
    this.#status.set(kioskId, status);
  }

  /** Inserts a kiosk inside an enrollment transaction's caller; throws RELAY_KIOSK_ALREADY_ENROLLED. */
  async insert(kioskId: string, name: string | null): Promise<void> {
    if (!isKioskId(kioskId))
      throw new RelayError('RELAY_ENROLL_KEY_INVALID', 'kioskId: base64url Ed25519 key expected');
    const r = await this.#db.query(
      'INSERT INTO relay_kiosks (kiosk_id, name) VALUES ($1, $2) ON CONFLICT (kiosk_id) DO NOTHING',
      [kioskId, name],
    );
    if (r.affectedRows !== 1)
      throw new RelayError('RELAY_KIOSK_ALREADY_ENROLLED', `kiosk ${kioskId} is already known`);
    this.apply(kioskId, 'active');
  }

  /** Marks a kiosk revoked; returns false when it was unknown. Idempotent. */
  async revoke(kioskId: string, reason: string): Promise<boolean> {
    if (!(await this.revokeIn(this.#db, kioskId, reason))) return false;
    this.#status.set(kioskId, 'revoked');
    return true;
  }

  /** The row change of `revoke` only, in the caller's transaction (the caller updates the cache after commit). */
  async revokeIn(q: DbTx, kioskId: string, reason: string): Promise<boolean> {
    const r = await q.query(
      'UPDATE relay_kiosks SET revoked_at = COALESCE(revoked_at, now()), revoked_reason = COALESCE(revoked_reason, $2) WHERE kiosk_id = $1',
      [kioskId, reason],
    );
    return r.affectedRows > 0;
  }

  async get(kioskId: string): Promise<KioskRecord | undefined> {
    const r = await this.#db.query<KioskRow>('SELECT * FROM relay_kiosks WHERE kiosk_id = $1', [kioskId]);
    const row = r.rows[0];
    return row === undefined ? undefined : fromRow(row);
  }

  async list(limit = 1000, afterId = ''): Promise<KioskRecord[]> {
    const r = await this.#db.query<KioskRow>(
      'SELECT * FROM relay_kiosks WHERE kiosk_id > $1 ORDER BY kiosk_id LIMIT $2',
      [afterId, limit],
    );
    return r.rows.map(fromRow);
  }

  /** Stores last-seen times and device health in one statement (heartbeats are flushed in batches). */
  async recordSeen(batch: ReadonlyArray<{ kioskId: string; at: Date; health: unknown }>): Promise<void> {
    if (batch.length === 0) return;
    await this.#db.query(
      `UPDATE relay_kiosks k SET last_seen_at = v.at, last_health = v.health
         FROM (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, at timestamptz, health jsonb)) v
        WHERE k.kiosk_id = v.id`,
      [
        JSON.stringify(
          batch.map((b) => ({ id: b.kioskId, at: b.at.toISOString(), health: b.health ?? null })),
        ),
      ],
    );
  }
}

function fromRow(row: KioskRow): KioskRecord {
  return {
    kioskId: row.kiosk_id,
    name: row.name,
    enrolledAt: iso(row.enrolled_at) ?? '',
    revokedAt: iso(row.revoked_at),
    revokedReason: row.revoked_reason,
    lastSeenAt: iso(row.last_seen_at),
    lastHealth: row.last_health,
  };
}
