import { Worker } from 'node:worker_threads';
import type { ResidentRecord } from '../record.js';
import type { SealedRow, ResidentStore } from '../storage/store.js';
import { ResidentGenerator } from './generate.js';
import type { SealedBatch } from './seal-worker.js';

/** Produces a municipality's sealed rows batch by batch, in order. */
export interface BatchSource {
  next(): Promise<SealedRow[] | undefined>;
  close(): Promise<void>;
}

function ranges(total: number, batch: number): { from: number; to: number }[] {
  const out = [];
  for (let i = 0; i < total; i += batch) out.push({ from: i, to: Math.min(i + batch, total) });
  return out;
}

/** Generates and seals on the calling thread. */
export function inThreadBatches(
  store: ResidentStore,
  code: string,
  seed: string,
  total: number,
  batch: number,
  reserved: ReadonlySet<string>,
): BatchSource {
  const gen = new ResidentGenerator(seed, code);
  const todo = ranges(total, batch);
  return {
    async next() {
      const r = todo.shift();
      if (r === undefined) return undefined;
      const records: ResidentRecord[] = [];
      for (let i = r.from; i < r.to; i++) {
        const rec = gen.resident(i);
        if (!reserved.has(rec.myNumber)) records.push(rec);
      }
      return store.sealRows(code, records);
    },
    async close() {},
  };
}

function unpack(b: SealedBatch): SealedRow[] {
  const rows: SealedRow[] = [];
  for (let k = 0; k < b.count; k++)
    rows.push({
      lookup: b.lookups.subarray(k * 32, k * 32 + 32),
      sealed: b.sealed.subarray(b.offsets[k] ?? 0, b.offsets[k + 1] ?? 0),
      doseCount: b.doseCounts[k] ?? 0,
    });
  return rows;
}

/**
 * Generates and seals on a worker thread, two batches ahead, so that sealing overlaps with the inserts on
 * the calling thread. Rejects (and the caller falls back to `inThreadBatches`) when the worker cannot start,
 * e.g. under a test runner that cannot load TypeScript in workers.
 */
export async function workerBatches(
  store: ResidentStore,
  code: string,
  seed: string,
  total: number,
  batch: number,
  reserved: ReadonlySet<string>,
): Promise<BatchSource> {
  const keys = store.keys.get(code);
  if (keys === undefined) throw new Error(`municipality ${code} has no data key`);
  // The entry registers tsx in the worker (loader hooks are per thread), then loads seal-worker.ts.
  const worker = new Worker(new URL('./seal-worker-entry.mjs', import.meta.url), {
    workerData: {
      seed,
      municipality: code,
      dataKey: keys.dataKey,
      indexKey: keys.indexKey,
      reserved: [...reserved],
    },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { ready?: boolean }) =>
        m.ready === true ? resolve() : reject(new Error('worker: ready expected')),
      );
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('worker exited')));
    });
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  const todo = ranges(total, batch);
  const waiting = new Map<number, { resolve: (b: SealedBatch) => void; reject: (e: unknown) => void }>();
  const inFlight: Promise<SealedBatch>[] = [];
  let failure: unknown;
  worker.on('message', (b: SealedBatch) => {
    waiting.get(b.from)?.resolve(b);
    waiting.delete(b.from);
  });
  worker.on('error', (err) => {
    failure = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  });
  const submit = () => {
    const r = todo.shift();
    if (r === undefined) return;
    inFlight.push(
      new Promise<SealedBatch>((resolve, reject) => {
        if (failure !== undefined) return reject(failure);
        waiting.set(r.from, { resolve, reject });
        worker.postMessage(r);
      }),
    );
  };
  submit();
  submit();
  return {
    async next() {
      const p = inFlight.shift();
      if (p === undefined) return undefined;
      const b = await p;
      submit();
      return unpack(b);
    },
    async close() {
      await worker.terminate();
    },
  };
}
