import type { Db, DbTx } from '../../common/db.js';

export type BanScope = 'source' | 'identity';

export interface Ban {
  scope: BanScope;
  subject: string;
  until: string;
  reason: string;
}

/**
 * Temporary bans per source address and per kiosk identity. Cached in memory for the upgrade path; the
 * cache follows other processes through cluster events (`apply`).
 */
export class BanList {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #until = new Map<string, number>();

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** (Re)loads the bans in force; returns those the cache did not have (after a cluster gap). */
  async load(): Promise<Array<{ scope: BanScope; subject: string }>> {
    const r = await this.#db.query<{ scope: BanScope; subject: string; until: Date | string }>(
      'SELECT scope, subject, until FROM relay_bans WHERE until > $1',
      [new Date(this.#now()).toISOString()],
    );
    const added: Array<{ scope: BanScope; subject: string }> = [];
    const next = new Map<string, number>();
    for (const row of r.rows) {
      const key = `${row.scope}:${row.subject}`;
      if (!this.isBanned(row.scope, row.subject)) added.push({ scope: row.scope, subject: row.subject });
      next.set(key, new Date(row.until).getTime());
    }
    this.#until.clear();
    for (const [k, v] of next) this.#until.set(k, v);
    return added;
  }

  isBanned(scope: BanScope, subject: string): boolean {
    const until = this.#until.get(`${scope}:${subject}`);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#until.delete(`${scope}:${subject}`);
    return false;
  }

  apply(scope: BanScope, subject: string, until: number | null): void {
    if (until === null) this.#until.delete(`${scope}:${subject}`);
    else this.#until.set(`${scope}:${subject}`, until);
  }

  async ban(scope: BanScope, subject: string, durationMs: number, reason: string): Promise<number> {
    const until = await this.banIn(this.#db, scope, subject, durationMs, reason);
    this.apply(scope, subject, Math.max(until, this.#until.get(`${scope}:${subject}`) ?? 0));
    return until;
  }

  /** The row change of `ban` only, in the caller's transaction; returns the ban's end (ms). */
  async banIn(
    q: DbTx,
    scope: BanScope,
    subject: string,
    durationMs: number,
    reason: string,
  ): Promise<number> {
    const until = this.#now() + durationMs;
    await q.query(
      `INSERT INTO relay_bans (scope, subject, until, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (scope, subject) DO UPDATE SET until = GREATEST(relay_bans.until, EXCLUDED.until), reason = EXCLUDED.reason`,
      [scope, subject, new Date(until).toISOString(), reason],
    );
    return until;
  }

  async lift(scope: BanScope, subject: string): Promise<boolean> {
    const found = await this.liftIn(this.#db, scope, subject);
    this.apply(scope, subject, null);
    return found;
  }

  /** The row change of `lift` only, in the caller's transaction. */
  async liftIn(q: DbTx, scope: BanScope, subject: string): Promise<boolean> {
    const r = await q.query('DELETE FROM relay_bans WHERE scope = $1 AND subject = $2', [scope, subject]);
    return r.affectedRows > 0;
  }

  async list(): Promise<Ban[]> {
    const r = await this.#db.query<{
      scope: BanScope;
      subject: string;
      until: Date | string;
      reason: string;
    }>('SELECT * FROM relay_bans WHERE until > $1 ORDER BY until DESC', [
      new Date(this.#now()).toISOString(),
    ]);
    return r.rows.map((b) => ({ ...b, until: new Date(b.until).toISOString() }));
  }
}
