import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { machineLine } from '../../run-programs.js';
import type { FuzzSuite, FuzzTarget } from './target.js';

/**
 * The long mode of the boundary fuzz targets (`FUZZ_RUNS=1000000 npm run fuzz [-- filter]`): each target gets
 * `FUZZ_RUNS` inputs (default 100,000) and prints inputs per second, time, peak RSS and heap growth.
 *
 * - No hang: a watchdog thread kills the process, naming the target, the input number and the seed, when
 *   no input finishes for `FUZZ_HANG_MS` (default 10 s): it works even when a parser blocks the event loop.
 *   fast-check generates the same inputs from the same seed (`FUZZ_SEED`), so the input can be found again.
 * - No unbounded memory: RSS is sampled about 50 times per target (the peak is printed) and the heap is
 *   measured after a full GC (`--expose-gc`, set by `npm run fuzz`) at 10 % of the run and at its end:
 *   growth above `FUZZ_MAX_HEAP_GROWTH_MB` (default 64) fails the target.
 * - No throw: a broken property fails with fast-check's counterexample, seed and path.
 * A progress line every `FUZZ_PROGRESS_S` seconds (default 60) records how far a long target got.
 */
const WATCHDOG = `
const { workerData, parentPort } = require('node:worker_threads');
const c = new Int32Array(workerData.sab);
let label = '', last = -1, since = Date.now();
parentPort.on('message', (m) => { label = m; last = -1; since = Date.now(); });
setInterval(() => {
  const v = Atomics.load(c, 0);
  if (Atomics.load(c, 1) === 0 || v !== last) { last = v; since = Date.now(); return; }
  if (Date.now() - since > workerData.hangMs) {
    process._rawDebug('HANG: ' + label + ': input #' + (v + 1) + ' did not finish in ' + workerData.hangMs + ' ms');
    process.kill(process.pid, 'SIGKILL');
  }
}, 250).unref();
`;

const MiB = 2 ** 20;

export interface TargetFigures {
  id: string;
  runs: number;
  seconds: number;
  perSecond: number;
  peakRssMiB: number;
  heapGrowthMiB: number | undefined;
}

function gc(): boolean {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) return false;
  g();
  return true;
}

export async function runTarget(
  t: FuzzTarget<never>,
  runs: number,
  seed: number,
  progress: Int32Array,
): Promise<TargetFigures> {
  const sampleEvery = Math.max(1, Math.floor(runs / 50));
  const warmupAt = Math.max(sampleEvery, Math.floor(runs / 10));
  let done = 0;
  let peakRss = process.memoryUsage.rss();
  let heapAtWarmup: number | undefined;
  // RSS and heap are read about 50 times per target; a full GC (slow on a busy machine) runs only at 10 %
  // of the run and at its end, for the growth figure.
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (heapAtWarmup === undefined && done >= warmupAt && gc()) heapAtWarmup = process.memoryUsage().heapUsed;
  };
  Atomics.store(progress, 0, 0);
  Atomics.store(progress, 1, 1);
  const t0 = performance.now();
  let lastReport = t0;
  const reportMs = Number(process.env['FUZZ_PROGRESS_S'] ?? 60) * 1000;
  try {
    await fc.assert(
      fc.asyncProperty(t.arb, async (input) => {
        await t.check(input);
        done++;
        Atomics.store(progress, 0, done);
        if (done % sampleEvery === 0) sample();
        if ((done & 63) === 0 && performance.now() - lastReport > reportMs) {
          lastReport = performance.now();
          const s = (lastReport - t0) / 1000;
          console.log(
            `  … ${t.id}: ${done} inputs in ${s.toFixed(0)} s (${Math.round(done / s)} /s), RSS ${(process.memoryUsage.rss() / MiB).toFixed(0)} MiB, no failure so far`,
          );
        }
      }),
      { numRuns: runs, seed },
    );
  } finally {
    Atomics.store(progress, 1, 0);
  }
  const seconds = (performance.now() - t0) / 1000;
  sample();
  const heapEnd = gc() ? process.memoryUsage().heapUsed : undefined;
  const growth =
    heapEnd !== undefined && heapAtWarmup !== undefined ? (heapEnd - heapAtWarmup) / MiB : undefined;
  return {
    id: t.id,
    runs,
    seconds,
    perSecond: runs / seconds,
    peakRssMiB: peakRss / MiB,
    heapGrowthMiB: growth,
  };
}

/** Runs every target of the suites whose id contains `FUZZ_FILTER` (all when unset); exits 1 on any failure. */
export async function runSuites(suites: FuzzSuite[]): Promise<void> {
  const runs = Number(process.env['FUZZ_RUNS'] ?? 100_000);
  const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
  const filter = process.env['FUZZ_FILTER'];
  const maxGrowth = Number(process.env['FUZZ_MAX_HEAP_GROWTH_MB'] ?? 64);
  const hangMs = Number(process.env['FUZZ_HANG_MS'] ?? 10_000);
  const sab = new SharedArrayBuffer(8);
  const progress = new Int32Array(sab);
  const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { sab, hangMs } });
  watchdog.unref();
  let failed = 0;
  let lastError: unknown;
  process.on('unhandledRejection', (err) => {
    failed++;
    lastError = err;
    console.log(`!! unhandled rejection: ${err instanceof Error ? err.stack : String(err)}`);
  });
  if (process.env['FUZZ_QUIET_MACHINE'] !== '1') console.log(machineLine());
  console.log(
    `seed ${seed} (FUZZ_SEED), ${runs} inputs per target (FUZZ_RUNS), gc ${gc() ? 'exposed' : 'NOT exposed: no heap figures'}`,
  );
  const wanted = (id: string, suite: FuzzSuite) =>
    filter === undefined || filter === '' || id.includes(filter) || suite.name.includes(filter);
  for (const suite of suites) {
    if (!suite.ids.some((id) => wanted(id, suite))) continue;
    const opened = await suite.open();
    try {
      for (const t of opened.targets) {
        if (!wanted(t.id, suite)) continue;
        watchdog.postMessage(`${t.id} (seed ${seed})`);
        try {
          const f = await runTarget(t, runs, seed, progress);
          const growth =
            f.heapGrowthMiB === undefined
              ? 'n/a'
              : `${f.heapGrowthMiB >= 0 ? '+' : ''}${f.heapGrowthMiB.toFixed(1)} MiB`;
          console.log(
            `${t.id.padEnd(28)} ${String(f.runs).padStart(8)} inputs ${f.seconds.toFixed(1).padStart(7)} s ${Math.round(f.perSecond).toString().padStart(7)} /s  peak RSS ${f.peakRssMiB.toFixed(0)} MiB  heap ${growth}`,
          );
          if (f.heapGrowthMiB !== undefined && f.heapGrowthMiB > maxGrowth) {
            failed++;
            console.log(`!! ${t.id}: heap grew ${f.heapGrowthMiB.toFixed(1)} MiB (limit ${maxGrowth} MiB)`);
          }
        } catch (err) {
          failed++;
          lastError = err;
          console.log(`!! ${t.id}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    } finally {
      await opened.close();
    }
  }
  await watchdog.terminate();
  if (failed > 0) {
    console.log(`${failed} failure(s)`, lastError instanceof Error ? '' : '');
    process.exit(1);
  }
  process.exit(0);
}
