import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../common/db.js';
import { openRecord } from '../storage/record-box.js';
import { KeyStore } from '../storage/keystore.js';
import { ResidentStore, type SealedRow } from '../storage/store.js';
import { inThreadBatches, workerBatches, type BatchSource } from './batches.js';
import { ResidentGenerator } from './generate.js';

async function drain(src: BatchSource): Promise<SealedRow[]> {
  const out: SealedRow[] = [];
  try {
    for (let r = await src.next(); r !== undefined; r = await src.next()) out.push(...r);
  } finally {
    await src.close();
  }
  return out;
}

describe('seed batches', () => {
  let dir: string;
  let db: Db;
  let store: ResidentStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vrs-batches-'));
    db = await openDb();
    store = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
    await store.ensureMunicipality('131016');
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals the same residents on a worker thread as on the calling thread, in order, skipping reserved numbers', async () => {
    const gen = new ResidentGenerator('batches', '131016');
    const reserved = new Set([gen.myNumber(7)]);
    const a = await drain(inThreadBatches(store, '131016', 'batches', 2500, 1000, reserved));
    const b = await drain(await workerBatches(store, '131016', 'batches', 2500, 1000, reserved));
    expect(a).toHaveLength(2499);
    expect(b.map((r) => Buffer.from(r.lookup).toString('hex'))).toEqual(
      a.map((r) => Buffer.from(r.lookup).toString('hex')),
    );
    const key = store.keys.get('131016')?.dataKey;
    if (!key) throw new Error('key expected');
    expect(openRecord(b[7]?.sealed ?? new Uint8Array(0), key)).toEqual(gen.resident(8));
    expect(b.map((r) => r.doseCount)).toEqual(a.map((r) => r.doseCount));
  });
});
