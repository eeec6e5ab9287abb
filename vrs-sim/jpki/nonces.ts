import { createHash } from 'node:crypto';
import type { Db } from '../../common/db.js';
import { JPKI_CLOCK_SKEW_MS, JPKI_FRESHNESS_MS } from './verify.js';

/**
 * The card answers VRS has accepted (`vrs_jpki_nonce`: SHA-256 of the nonce, the request id and kiosk that used
 * it, when). A nonce is good for one request id: the relay's retry of the same request passes, any other
 * request carrying the same card answer is a replay. Rows older than the freshness window plus the clock skew
 * are pruned: by then the signing time alone refuses the answer (`VRS_AUTH_STALE`). Kept in the database, so
 * a restart of VRS (which forgets its in-memory duplicate window) does not reopen a replay.
 */
export class UsedNonces {
  readonly #db: Db;
  #lastPrune = 0;

  private constructor(db: Db) {
    this.#db = db;
  }

  static async open(db: Db): Promise<UsedNonces> {
    await db.exec(`CREATE TABLE IF NOT EXISTS vrs_jpki_nonce (
      nonce_hash bytea PRIMARY KEY,
      request_id text NOT NULL,
      kiosk_id text NOT NULL,
      used_at timestamptz NOT NULL
    )`);
    return new UsedNonces(db);
  }

  /** Records the nonce for `requestId`; false when another request already used it. */
  async use(nonce: Uint8Array, requestId: string, kioskId: string, now: number): Promise<boolean> {
    const hash = createHash('sha256').update(nonce).digest();
    await this.#prune(now);
    const r = await this.#db.query<{ request_id: string }>(
      `INSERT INTO vrs_jpki_nonce (nonce_hash, request_id, kiosk_id, used_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (nonce_hash) DO UPDATE SET nonce_hash = EXCLUDED.nonce_hash
       RETURNING request_id`,
      [hash, requestId, kioskId, new Date(now)],
    );
    return r.rows[0]?.request_id === requestId;
  }

  async #prune(now: number): Promise<void> {
    if (now - this.#lastPrune < 60_000) return;
    this.#lastPrune = now;
    await this.#db.query('DELETE FROM vrs_jpki_nonce WHERE used_at < $1', [
      new Date(now - JPKI_FRESHNESS_MS - 2 * JPKI_CLOCK_SKEW_MS),
    ]);
  }
}
