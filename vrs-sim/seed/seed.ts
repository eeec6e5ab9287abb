import { MUNICIPALITIES, PREFECTURES, municipalitiesOf } from '../municipalities.js';
import type { ResidentRecord } from '../record.js';
import { VrsStoreError, type ResidentStore } from '../storage/store.js';
import { fixtureRecord, hasNoRecords, loadFixtures, type FixtureResident } from './fixtures.js';
import { inThreadBatches, workerBatches, type BatchSource } from './batches.js';

export interface SeedOptions {
  /** Fictional residents per municipality. */
  perMunicipality: number;
  seed: string | number;
  /**
   * Which municipalities get generated residents: 'all' (1,741 partitions: about a minute on embedded PGlite,
   * where each partition costs tens of milliseconds of DDL), or a list; default {@link defaultSeedMunicipalities}.
   * Every municipality is served either way: one without a partition yet has no records (VRS_NO_RECORD).
   */
  municipalities?: readonly string[] | 'all';
  /** Test residents to add (default: the hardware simulator's fixture file); `[]` for none. */
  fixtures?: readonly FixtureResident[];
  /** Rows per INSERT statement. */
  batch?: number;
  /**
   * Seal on a worker thread while the main thread inserts: 'auto' (default) does so for 20,000 or more
   * residents per municipality, falling back to the calling thread when a worker cannot start.
   */
  worker?: boolean | 'auto';
  onProgress?: (municipality: string, done: number) => void;
}

/**
 * The default seed, fast to load: the first municipality of every prefecture (its capital in most: 札幌市,
 * 青森市, …, 那覇市) and every municipality a fixture resident lives in — every prefecture has residents.
 */
export function defaultSeedMunicipalities(fixtures: readonly FixtureResident[] = loadFixtures()): string[] {
  const codes = new Set<string>();
  for (const p of PREFECTURES) {
    const first = municipalitiesOf(p.code)[0];
    if (first !== undefined) codes.add(first.code);
  }
  for (const f of fixtures) codes.add(f.municipality);
  return [...codes].sort();
}

export interface SeedReport {
  inserted: number;
  skipped: string[];
  /**
   * Municipalities left out when seeding all of them: shredded, or with a key missing (alerted). Naming such
   * a municipality in `municipalities` throws its `VrsStoreError` instead.
   */
  refused: { municipality: string; code: string }[];
}

/**
 * Fills the store: for each municipality its partition and key, `perMunicipality` generated residents, and
 * the fixture residents living there (except the one marked as having no records). A municipality that
 * already holds rows is left as it is, so restarting with the same state folder is cheap.
 */
export async function seedStore(store: ResidentStore, options: SeedOptions): Promise<SeedReport> {
  const fixtures = options.fixtures ?? loadFixtures();
  const codes =
    options.municipalities === 'all'
      ? MUNICIPALITIES.map((m) => m.code)
      : (options.municipalities ?? defaultSeedMunicipalities(fixtures));
  const batch = options.batch ?? 5000;
  const report: SeedReport = { inserted: 0, skipped: [], refused: [] };
  for (const code of codes) {
    const own = fixtures.filter((f) => f.municipality === code);
    const reserved = new Set(own.map((f) => f.myNumber));
    const first: ResidentRecord[] = own
      .filter((f) => !hasNoRecords(f))
      .map((f) => fixtureRecord(f, options.seed));
    const useWorker =
      options.worker === true || ((options.worker ?? 'auto') === 'auto' && options.perMunicipality >= 20_000);
    const seed = String(options.seed);
    const load = store.bulkLoad(code, async (insert) => {
      report.inserted += await insert(store.sealRows(code, first));
      let source: BatchSource | undefined;
      if (useWorker)
        source = await workerBatches(store, code, seed, options.perMunicipality, batch, reserved).catch(
          () => undefined,
        );
      source ??= inThreadBatches(store, code, seed, options.perMunicipality, batch, reserved);
      try {
        let done = 0;
        for (let rows = await source.next(); rows !== undefined; rows = await source.next()) {
          report.inserted += await insert(rows);
          done += rows.length;
          options.onProgress?.(code, done);
        }
      } finally {
        await source.close();
      }
    });
    const loaded = await load.catch((err: unknown) => {
      if (options.municipalities !== undefined || !(err instanceof VrsStoreError)) throw err;
      report.refused.push({ municipality: code, code: err.code });
      return null;
    });
    if (loaded === false) report.skipped.push(code);
  }
  return report;
}
