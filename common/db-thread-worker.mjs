// The worker side of `openDb({ thread: true })` (common/db-thread.ts): one embedded PGlite on its own
// thread. Plain JavaScript so that it loads under any runner (tsx, vitest, Electron) without a loader.
// Messages in:  { id, op: 'query', sql, params } | { id, op: 'prepared', name, sql, params } | { id, op: 'exec', sql }
//               | { id, op: 'listen', channel }
//               | { id, op: 'close' }
// Messages out: { id, ok: true, rows, affectedRows } (for exec: the last statement's) | { id, ok: false, message, code }
//               | { notify: channel, payload }
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pglitePrepared } from './pglite-prepared.mjs';

const port = parentPort;
if (port === null) throw new Error('db-thread-worker: not started as a worker');

const lite = workerData.dataDir ? new PGlite(workerData.dataDir) : new PGlite();
const listening = new Set();
const prepared = pglitePrepared(lite);

const fail = (id, err) => {
  const e = err instanceof Error ? err : new Error(String(err));
  port.postMessage({
    id,
    ok: false,
    message: e.message,
    code: typeof e.code === 'string' ? e.code : undefined,
  });
};

port.on('message', async (m) => {
  try {
    await lite.waitReady;
    if (m.op === 'query') {
      const r = await lite.query(m.sql, m.params);
      port.postMessage({ id: m.id, ok: true, rows: r.rows, affectedRows: r.affectedRows ?? 0 });
    } else if (m.op === 'prepared') {
      const r = await prepared(m.name, m.sql, m.params);
      port.postMessage({ id: m.id, ok: true, rows: r.rows, affectedRows: r.affectedRows });
    } else if (m.op === 'exec') {
      const r = (await lite.exec(m.sql)).at(-1);
      port.postMessage({ id: m.id, ok: true, rows: r?.rows ?? [], affectedRows: r?.affectedRows ?? 0 });
    } else if (m.op === 'listen') {
      if (!listening.has(m.channel)) {
        listening.add(m.channel);
        await lite.listen(m.channel, (payload) => port.postMessage({ notify: m.channel, payload }));
      }
      port.postMessage({ id: m.id, ok: true, rows: [], affectedRows: 0 });
    } else if (m.op === 'close') {
      await lite.close();
      port.postMessage({ id: m.id, ok: true, rows: [], affectedRows: 0 });
      port.close();
    } else {
      fail(m.id, new TypeError('unknown operation'));
    }
  } catch (err) {
    fail(m.id, err);
  }
});

lite.waitReady.then(
  () => port.postMessage({ ready: true }),
  (err) => port.postMessage({ ready: false, message: err instanceof Error ? err.message : String(err) }),
);
