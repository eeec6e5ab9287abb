import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openThreadedPglite } from './db-thread.js';

/** One row set, as both back ends return it. */
export interface QueryResult<Row> {
  rows: Row[];
  affectedRows: number;
}

/**
 * The one SQL surface shared by the relay and the VRS stand-in: PostgreSQL's dialect, served either by
 * embedded PGlite (default) or by a PostgreSQL server (`DATABASE_URL`). Parameters are `$1, $2, …`.
 */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs several statements with no parameters (schema migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: DbTx) => Promise<T>): Promise<T>;
  /** Subscribes to a NOTIFY channel; returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export type DbTx = Pick<Db, 'query' | 'exec'>;

export interface OpenDbOptions {
  /** A `postgres://` URL; when absent, embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite's data folder; absent means in memory. Ignored with `url`. */
  dataDir?: string | undefined;
  /** Pool size for the server back end. */
  maxConnections?: number;
  /**
   * Embedded PGlite on a worker thread (`common/db-thread.ts`) instead of this thread: for servers, whose
   * event loop should not wait on the database's CPU. Ignored with `url`.
   */
  thread?: boolean;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Refuses a NOTIFY channel name that is not a plain identifier (it is spliced into `LISTEN`). */
export function checkChannel(channel: string): void {
  if (!CHANNEL_NAME.test(channel)) throw new TypeError(`channel: not a plain identifier`);
}

/** Opens the database named by `options.url`, or an embedded PGlite one. */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  if (options.url !== undefined && options.url !== '')
    return openPostgres(options.url, options.maxConnections ?? 10);
  if (options.thread === true) return openThreadedPglite(options.dataDir);
  return openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Db> {
  const lite = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await lite.waitReady;
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): DbTx => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const r = await q.query<Row>(sql, params as unknown[]);
      return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  const base = wrap(lite);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction: (fn) => lite.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onPayload) {
      checkChannel(channel);
      const unsub = await lite.listen(channel, onPayload);
      return async () => {
        await unsub();
      };
    },
    async notify(channel, payload) {
      checkChannel(channel);
      await lite.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    close: () => lite.close(),
  };
}

async function openPostgres(url: string, max: number): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client that loses its server emits 'error'; without a listener the process would die.
  pool.on('error', () => undefined);
  const query = async <Row>(sql: string, params: readonly unknown[] = []) => {
    const r = await pool.query(sql, params as unknown[]);
    return { rows: r.rows as Row[], affectedRows: r.rowCount ?? 0 };
  };
  let listener: pg.Client | undefined;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  return {
    kind: 'postgres',
    query,
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: DbTx = {
          async query<Row>(sql: string, params: readonly unknown[] = []) {
            const r = await client.query(sql, params as unknown[]);
            return { rows: r.rows as Row[], affectedRows: r.rowCount ?? 0 };
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        };
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async listen(channel, onPayload) {
      checkChannel(channel);
      if (listener === undefined) {
        listener = new pg.Client({ connectionString: url });
        listener.on('error', () => undefined);
        await listener.connect();
        listener.on('notification', (msg) => {
          for (const h of handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
        });
      }
      let set = handlers.get(channel);
      if (set === undefined) {
        set = new Set();
        handlers.set(channel, set);
        await listener.query(`LISTEN ${channel}`);
      }
      set.add(onPayload);
      return async () => {
        set.delete(onPayload);
      };
    },
    async notify(channel, payload) {
      checkChannel(channel);
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}
