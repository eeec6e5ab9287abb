import { parentPort, workerData } from 'node:worker_threads';
import { randomFillSync } from 'node:crypto';
import { lookupHash, sealRecord } from '../storage/record-box.js';
import { ResidentGenerator } from './generate.js';

/**
 * Seeding worker: generates and seals residents [from, to) of one municipality off the main thread, so
 * that sealing overlaps with the main thread's inserts. The municipality's keys arrive in `workerData`
 * (same process, never written anywhere). Replies with packed buffers (transferred, not copied).
 */
export interface SealJob {
  from: number;
  to: number;
}
export interface SealedBatch {
  from: number;
  count: number;
  lookups: Uint8Array;
  sealed: Uint8Array;
  offsets: Uint32Array;
  doseCounts: Uint8Array;
}

const data = workerData as {
  seed: string;
  municipality: string;
  dataKey: Uint8Array;
  indexKey: Uint8Array;
  reserved: string[];
};
const gen = new ResidentGenerator(data.seed, data.municipality);
const reserved = new Set(data.reserved);

parentPort?.on('message', (job: SealJob) => {
  const n = job.to - job.from;
  const lookups = new Uint8Array(32 * n);
  const parts: Uint8Array[] = [];
  const doseCounts = new Uint8Array(n);
  const nonces = randomFillSync(new Uint8Array(24 * n));
  let count = 0;
  for (let i = job.from; i < job.to; i++) {
    const r = gen.resident(i);
    if (reserved.has(r.myNumber)) continue;
    lookups.set(lookupHash(data.indexKey, r.myNumber), count * 32);
    parts.push(sealRecord(r, data.dataKey, nonces.subarray(count * 24, count * 24 + 24)));
    doseCounts[count] = r.doses.length;
    count++;
  }
  const offsets = new Uint32Array(count + 1);
  let total = 0;
  for (let k = 0; k < count; k++) {
    offsets[k] = total;
    total += (parts[k] as Uint8Array).length;
  }
  offsets[count] = total;
  const sealed = new Uint8Array(total);
  for (let k = 0; k < count; k++) sealed.set(parts[k] as Uint8Array, offsets[k]);
  const reply: SealedBatch = { from: job.from, count, lookups, sealed, offsets, doseCounts };
  parentPort?.postMessage(reply, [lookups.buffer, sealed.buffer, offsets.buffer, doseCounts.buffer]);
});
parentPort?.postMessage({ ready: true });
