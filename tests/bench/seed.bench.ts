/**
 * Seed benchmark: what one municipality costs when the VRS stand-in seeds it (the reason the default seed
 * is not all 1,741). Seeds SEED_BENCH_MUNICIPALITIES municipalities (default 100) with 5 residents each, as
 * `npm start` does, on embedded PGlite, and prints per municipality: the time, each statement's share, the
 * projection to all 1,741, and the floor measured in the same run (the median of five bare `CREATE TABLE`s on the same
 * database), in chunks of 50 so a cost that grows with the number of partitions would show.
 * Run: nice -n 5 npm run bench -- seed
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDb, type Db } from '../../common/db.js';
import { MUNICIPALITIES } from '../../vrs-sim/municipalities.js';
import { seedStore } from '../../vrs-sim/seed/seed.js';
import { KeyStore } from '../../vrs-sim/storage/keystore.js';
import { ResidentStore } from '../../vrs-sim/storage/store.js';
import { machineLine } from '../run-programs.js';

const N = Number(process.env['SEED_BENCH_MUNICIPALITIES'] ?? 100);
const CHUNK = 50;

/** Times every statement by its shape (codes folded), to show where a municipality's time goes. */
function timed(db: Db): Map<string, number> {
  const cost = new Map<string, number>();
  const fold = (sql: string) => sql.trim().replace(/\s+/g, ' ').replace(/\d{6}/g, 'N').slice(0, 58);
  const add = (sql: string, t: number) =>
    cost.set(fold(sql), (cost.get(fold(sql)) ?? 0) + performance.now() - t);
  const query = db.query.bind(db);
  const exec = db.exec.bind(db);
  db.query = (async (sql: string, params?: unknown[]) => {
    const t = performance.now();
    try {
      return await query(sql, params as never);
    } finally {
      add(sql, t);
    }
  }) as Db['query'];
  db.exec = async (sql: string) => {
    const t = performance.now();
    try {
      await exec(sql);
    } finally {
      add(sql, t);
    }
  };
  return cost;
}

console.log(machineLine());
const dir = mkdtempSync(join(tmpdir(), 'seed-bench-'));
const db = await openDb({ dataDir: join(dir, 'db') });
try {
  const store = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
  const cost = timed(db);
  const codes = MUNICIPALITIES.slice(0, N).map((m) => m.code);
  let seedMs = 0;
  const floors: number[] = [];
  for (let i = 0; i < codes.length; i += CHUNK) {
    const part = codes.slice(i, i + CHUNK);
    const t0 = performance.now();
    await seedStore(store, { perMunicipality: 5, seed: 'bench', municipalities: part, fixtures: [] });
    const ms = performance.now() - t0;
    seedMs += ms;
    const samples: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t1 = performance.now();
      await db.exec(`CREATE TABLE seed_bench_floor_${i}_${k} (a int)`);
      samples.push(performance.now() - t1);
    }
    const floor = samples.sort((a, b) => a - b)[2]!;
    floors.push(floor);
    console.log(
      `municipalities ${i + 1}–${i + part.length}: ${(ms / part.length).toFixed(0)} ms each (${(ms / part.length / floor).toFixed(0)}× a bare CREATE TABLE, ${floor.toFixed(1)} ms)`,
    );
  }
  const per = seedMs / codes.length;
  console.log(
    `per municipality: ${per.toFixed(0)} ms; all ${MUNICIPALITIES.length}: ${((per * MUNICIPALITIES.length) / 1000).toFixed(0)} s projected`,
  );
  console.log('where it goes (ms per municipality, by statement):');
  for (const [sql, ms] of [...cost].sort((a, b) => b[1] - a[1]).slice(0, 8))
    console.log(`  ${(ms / codes.length).toFixed(1).padStart(6)}  ${sql}`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
