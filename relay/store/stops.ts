import type { Db, DbTx } from '../../common/db.js';

/** `fleet` stops every municipality; otherwise a 6-digit municipality code. */
export type StopScope = 'fleet' | string;

export const STOP_SCOPE = /^(fleet|\d{6})$/;

export interface Stop {
  scope: StopScope;
  reason: string;
  stoppedAt: string;
  stoppedBy: string;
}

/** The kill switch: issuance stops per municipality or fleet-wide. Cached; followed across processes. */
export class StopList {
  readonly #db: Db;
  readonly #stopped = new Set<string>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** (Re)loads the stops; returns what changed since the cache last knew (after a cluster gap). */
  async load(): Promise<Array<{ scope: string; stopped: boolean }>> {
    const r = await this.#db.query<{ scope: string }>('SELECT scope FROM relay_stops');
    const next = new Set(r.rows.map((row) => row.scope));
    const changes: Array<{ scope: string; stopped: boolean }> = [];
    for (const s of next) if (!this.#stopped.has(s)) changes.push({ scope: s, stopped: true });
    for (const s of this.#stopped) if (!next.has(s)) changes.push({ scope: s, stopped: false });
    this.#stopped.clear();
    for (const s of next) this.#stopped.add(s);
    return changes;
  }

  /** Whether issuance for `municipality` is stopped (by its own stop or the fleet-wide one). */
  isStopped(municipality: string): boolean {
    return this.#stopped.has('fleet') || this.#stopped.has(municipality);
  }

  apply(scope: string, stopped: boolean): void {
    if (stopped) this.#stopped.add(scope);
    else this.#stopped.delete(scope);
  }

  async stop(scope: StopScope, reason: string, by: string): Promise<void> {
    await this.stopIn(this.#db, scope, reason, by);
    this.apply(scope, true);
  }

  /** The row change of `stop` only, in the caller's transaction; false when already stopped. */
  async stopIn(q: DbTx, scope: StopScope, reason: string, by: string): Promise<boolean> {
    if (!STOP_SCOPE.test(scope))
      throw new TypeError('scope: "fleet" or a 6-digit municipality code expected');
    const r = await q.query(
      'INSERT INTO relay_stops (scope, reason, stopped_by) VALUES ($1, $2, $3) ON CONFLICT (scope) DO NOTHING',
      [scope, reason, by],
    );
    return r.affectedRows > 0;
  }

  async resume(scope: StopScope): Promise<boolean> {
    const found = await this.resumeIn(this.#db, scope);
    this.apply(scope, false);
    return found;
  }

  /** The row change of `resume` only, in the caller's transaction. */
  async resumeIn(q: DbTx, scope: StopScope): Promise<boolean> {
    const r = await q.query('DELETE FROM relay_stops WHERE scope = $1', [scope]);
    return r.affectedRows > 0;
  }

  async list(): Promise<Stop[]> {
    const r = await this.#db.query<{
      scope: string;
      reason: string;
      stopped_at: Date | string;
      stopped_by: string;
    }>('SELECT * FROM relay_stops ORDER BY stopped_at');
    return r.rows.map((s) => ({
      scope: s.scope,
      reason: s.reason,
      stoppedAt: new Date(s.stopped_at).toISOString(),
      stoppedBy: s.stopped_by,
    }));
  }
}
