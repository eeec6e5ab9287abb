import { Worker } from 'node:worker_threads';
import { checkChannel, type Db, type DbTx, type QueryResult } from './db.js';

type Reply =
  | { id: number; ok: true; rows: unknown[]; affectedRows: number }
  | { id: number; ok: false; message: string; code?: string };
type FromWorker = Reply | { notify: string; payload: string } | { ready: boolean; message?: string };

/**
 * Embedded PGlite on a worker thread, behind the same `Db` interface. PGlite runs its statements on the
 * thread that calls it (WebAssembly, ≈ 0.1–0.5 ms of CPU per statement here, more per commit); on the
 * relay's event loop that time delayed every socket in the process. On its own thread it runs beside the
 * event loop, on the other core when one is free.
 *
 * PGlite is one session: a transaction must not interleave with other statements, so while one is open
 * every other call waits for it (as PGlite's own `transaction()` does).
 */
export async function openThreadedPglite(dataDir: string | undefined): Promise<Db> {
  const worker = new Worker(new URL('./db-thread-worker.mjs', import.meta.url), {
    workerData: { dataDir },
    // The worker is plain JavaScript: no TypeScript loader needed, whatever runs this process.
    execArgv: [],
  });
  const waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const gapListeners = new Set<(reason: string) => void>();
  let nextId = 1;
  let failed: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if ('ready' in m) {
        if (m.ready) resolve();
        else reject(new Error(`PGlite did not start: ${m.message ?? ''}`));
        return;
      }
      if ('notify' in m) {
        for (const h of handlers.get(m.notify) ?? []) h(m.payload);
        return;
      }
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      w?.resolve(m);
    });
    worker.on('error', (err) => {
      failed = err;
      reject(err);
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    });
    worker.on('exit', (code) => {
      failed ??= new Error(`database thread exited (${code})`);
      // No notification can arrive any more: a gap that never resumes.
      for (const g of gapListeners) g(failed.message);
      for (const w of waiting.values()) w.reject(failed);
      waiting.clear();
    });
  });
  await ready;

  const call = (msg: Record<string, unknown>): Promise<Reply> => {
    if (failed !== undefined) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...msg });
    });
  };
  const result = <Row>(r: Reply): QueryResult<Row> => {
    if (!r.ok) throw Object.assign(new Error(r.message), r.code === undefined ? {} : { code: r.code });
    return { rows: r.rows as Row[], affectedRows: r.affectedRows };
  };
  const direct: DbTx = {
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      return result<Row>(await call({ op: 'query', sql, params }));
    },
    async exec(sql: string) {
      result(await call({ op: 'exec', sql }));
    },
  };

  // One transaction at a time; other statements wait while it is open.
  let gate: Promise<void> = Promise.resolve();
  const outside = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      const g = gate;
      await g;
      if (g === gate) return fn();
    }
  };

  return {
    kind: 'pglite',
    query: (sql, params) => outside(() => direct.query(sql, params)),
    queryPrepared: (name, sql, params) =>
      outside(async () => result(await call({ op: 'prepared', name, sql, params }))),
    exec: (sql) => outside(() => direct.exec(sql)),
    async transaction(fn) {
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const previous = gate;
      gate = previous.then(() => mine);
      await previous;
      try {
        await direct.exec('BEGIN');
        try {
          const out = await fn(direct);
          await direct.exec('COMMIT');
          return out;
        } catch (err) {
          await direct.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      } finally {
        release();
      }
    },
    async listen(channel, onPayload, events) {
      checkChannel(channel);
      if (events?.onGap !== undefined) gapListeners.add(events.onGap);
      let set = handlers.get(channel);
      if (set === undefined) {
        handlers.set(channel, (set = new Set()));
        result(await call({ op: 'listen', channel }));
      }
      set.add(onPayload);
      return async () => {
        set.delete(onPayload);
      };
    },
    restartListener: () => undefined,
    async notify(channel, payload) {
      checkChannel(channel);
      await outside(() => direct.query('SELECT pg_notify($1, $2)', [channel, payload]));
    },
    async close() {
      if (failed === undefined) await call({ op: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
