import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openThreadedPglite } from './db-thread.js';
import { pglitePrepared } from './pglite-prepared.mjs';
import { PgListener, type ListenEvents } from './pg-listener.js';

export type { ListenEvents } from './pg-listener.js';

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
  /**
   * `query` for a statement run often (the relay's audit append): parsed and planned once, as the named
   * prepared statement `name`, then only executed. The SQL must be the same for every call with one name.
   * On PGlite this is several times cheaper than `query` (≈ 0.1 against 0.35 ms of CPU for the audit
   * append here), whose unnamed statements are planned every time.
   */
  queryPrepared<Row = Record<string, unknown>>(
    name: string,
    sql: string,
    params: readonly unknown[],
  ): Promise<QueryResult<Row>>;
  /** Runs several statements with no parameters (schema migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: DbTx) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a NOTIFY channel; returns an unsubscribe function. On a server the listening connection
   * is supervised: `events.onGap` when it fails (notifications from then on are lost), `events.onResume`
   * once it is back. Embedded PGlite delivers in-process and has no gaps (a dead database thread is one,
   * with no resume).
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    events?: ListenEvents,
  ): Promise<() => Promise<void>>;
  /** Drops and re-establishes the listening connection (its subscribers hear a gap); PGlite: nothing to do. */
  restartListener(reason: string): void;
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
  /**
   * Errors of the server back end's idle pooled connections and of its listening connection, which
   * recover by themselves (the pool replaces the connection; the listener reconnects): for the log.
   */
  onError?: (where: 'pool' | 'listener', err: Error) => void;
  /** `application_name` of the server connections (the listener's gets `-listen`), for `pg_stat_activity`. */
  applicationName?: string;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Refuses a NOTIFY channel name that is not a plain identifier (it is spliced into `LISTEN`). */
export function checkChannel(channel: string): void {
  if (!CHANNEL_NAME.test(channel)) throw new TypeError(`channel: not a plain identifier`);
}

/** Opens the database named by `options.url`, or an embedded PGlite one. */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  if (options.url !== undefined && options.url !== '') return openPostgres(options.url, options);
  if (options.thread === true) return openThreadedPglite(options.dataDir);
  return openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Db> {
  // Loaded only when used (≈ 0.14 s of a process's start): a relay or VRS on a PostgreSQL server never needs it.
  const { PGlite } = await import('@electric-sql/pglite');
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
    queryPrepared: (() => {
      const run = pglitePrepared(lite);
      return async <Row>(name: string, sql: string, params: readonly unknown[]) =>
        (await run(name, sql, params)) as QueryResult<Row>;
    })(),
    exec: base.exec,
    transaction: (fn) => lite.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onPayload) {
      checkChannel(channel);
      const unsub = await lite.listen(channel, onPayload);
      return async () => {
        await unsub();
      };
    },
    restartListener: () => undefined,
    async notify(channel, payload) {
      checkChannel(channel);
      await lite.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    close: () => lite.close(),
  };
}

async function openPostgres(url: string, options: OpenDbOptions): Promise<Db> {
  const name = options.applicationName;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(name === undefined ? {} : { application_name: name }),
  });
  // An idle client that loses its server emits 'error' (the pool drops it); without a listener the
  // process would die.
  pool.on('error', (err) => options.onError?.('pool', err));
  const query = async <Row>(sql: string, params: readonly unknown[] = []) => {
    const r = await pool.query(sql, params as unknown[]);
    return { rows: r.rows as Row[], affectedRows: r.rowCount ?? 0 };
  };
  const listener = new PgListener(
    { connectionString: url, ...(name === undefined ? {} : { application_name: `${name}-listen` }) },
    (err) => options.onError?.('listener', err),
  );
  return {
    kind: 'postgres',
    query,
    async queryPrepared<Row>(name: string, sql: string, params: readonly unknown[]) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
        throw new TypeError('statement name: not a plain identifier');
      // node-postgres prepares a named query once per pooled connection.
      const r = await pool.query({ name, text: sql, values: params as unknown[] });
      return { rows: r.rows as Row[], affectedRows: r.rowCount ?? 0 };
    },
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
    async listen(channel, onPayload, events) {
      checkChannel(channel);
      return listener.listen(channel, onPayload, events);
    },
    restartListener: (reason) => listener.restart(reason),
    async notify(channel, payload) {
      checkChannel(channel);
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}
