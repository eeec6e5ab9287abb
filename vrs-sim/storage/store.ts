import { randomFillSync } from 'node:crypto';
import type { Db } from '../../common/db.js';
import { findMunicipality } from '../municipalities.js';
import type { ResidentRecord } from '../record.js';
import type { KeyStore } from './keystore.js';
import { lookupHash, openRecord, sealRecord } from './record-box.js';
import {
  attachLoadedTable,
  createLoadingTable,
  ensurePartition,
  migrate,
  partitionName,
  partitionState,
} from './schema.js';

/** The result of looking a resident up in one municipality's partition. */
export type FindResult =
  | { ok: true; record: ResidentRecord; residentHash: Uint8Array }
  | {
      ok: false;
      code: 'VRS_NO_RECORD' | 'VRS_MUNICIPALITY_UNKNOWN' | 'VRS_DATA_SHREDDED' | 'VRS_RECORD_CORRUPT';
      residentHash?: Uint8Array;
    };

/** Aggregate figures of one municipality: counts only, never a person. */
export interface MunicipalityCounts {
  municipality: string;
  prefecture: string;
  residents: number;
  doses: number;
  /** residentsByDoseCount[n] = residents with n doses (n = 0…7). */
  residentsByDoseCount: number[];
  shredded: boolean;
}

/** A row ready for insertion (already sealed). */
export interface SealedRow {
  lookup: Uint8Array;
  /** nonce ‖ secretbox */
  sealed: Uint8Array;
  doseCount: number;
}

const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
const bytes = (v: unknown): Uint8Array => {
  if (v instanceof Uint8Array) return v;
  throw new Error('bytea column did not come back as bytes');
};

/**
 * Resident records, sealed per municipality. The raw storage layer: it does not know roles (see
 * `service.ts`, which is the only way the endpoint and the CLI reach it).
 */
export class ResidentStore {
  readonly db: Db;
  readonly keys: KeyStore;

  private constructor(db: Db, keys: KeyStore) {
    this.db = db;
    this.keys = keys;
  }

  static async open(db: Db, keys: KeyStore): Promise<ResidentStore> {
    await migrate(db);
    return new ResidentStore(db, keys);
  }

  /** Creates the municipality's partition and key (idempotent). Throws for a code not in the list. */
  async ensureMunicipality(code: string): Promise<void> {
    const m = findMunicipality(code);
    if (m === undefined) throw new TypeError(`municipality: ${code} is not a participating municipality`);
    this.keys.getOrCreate(code);
    await ensurePartition(this.db, code, m.prefecture);
  }

  /**
   * Bulk-loads a municipality that has no rows yet: its partition is built detached, indexed once and
   * attached (see `schema.ts`). Returns false (and loads nothing) when the municipality already has rows.
   */
  async bulkLoad(
    code: string,
    produce: (insert: (rows: readonly SealedRow[]) => Promise<number>) => Promise<void>,
  ): Promise<boolean> {
    const m = findMunicipality(code);
    if (m === undefined) throw new TypeError(`municipality: ${code} is not a participating municipality`);
    this.keys.getOrCreate(code);
    const state = await partitionState(this.db, code);
    if (state === 'attached') {
      const any = await this.db.query(`SELECT 1 FROM ${partitionName(code)} LIMIT 1`);
      if (any.rows.length > 0) return false;
      await this.db.exec(`ALTER TABLE vrs_resident DETACH PARTITION ${partitionName(code)}`);
    }
    const table = await createLoadingTable(this.db, code);
    await produce((rows) => this.insertSealed(code, rows, table));
    await attachLoadedTable(this.db, code, m.prefecture);
    return true;
  }

  /** Seals rows for a municipality with its keys (pure CPU; no I/O). */
  sealRows(code: string, records: readonly ResidentRecord[]): SealedRow[] {
    const k = this.keys.get(code);
    if (k === undefined) throw new Error(`municipality ${code} has no data key`);
    const nonces = randomFillSync(new Uint8Array(24 * records.length));
    return records.map((r, i) => {
      const sealed = sealRecord(r, k.dataKey, nonces.subarray(i * 24, i * 24 + 24));
      return { lookup: lookupHash(k.indexKey, r.myNumber), sealed, doseCount: r.doses.length };
    });
  }

  /**
   * Inserts sealed rows in one multi-row statement (arrays unnested server-side). `table` is the parent
   * (routed to the partition) or, while bulk loading, the detached partition itself.
   */
  async insertSealed(code: string, rows: readonly SealedRow[], table = 'vrs_resident'): Promise<number> {
    if (rows.length === 0) return 0;
    if (table !== 'vrs_resident' && table !== partitionName(code))
      throw new TypeError('table: parent or partition');
    const r = await this.db.query(
      `INSERT INTO ${table} (municipality, lookup, sealed, dose_count)
       SELECT $1, decode(l, 'base64'), decode(s, 'base64'), d
       FROM unnest($2::text[], $3::text[], $4::smallint[]) AS u(l, s, d)`,
      [code, rows.map((x) => b64(x.lookup)), rows.map((x) => b64(x.sealed)), rows.map((x) => x.doseCount)],
    );
    return r.affectedRows;
  }

  /** Seals and inserts records, in batches. */
  async insertRecords(code: string, records: readonly ResidentRecord[], batch = 5000): Promise<number> {
    await this.ensureMunicipality(code);
    let n = 0;
    for (let i = 0; i < records.length; i += batch)
      n += await this.insertSealed(code, this.sealRows(code, records.slice(i, i + batch)));
    return n;
  }

  /** Looks up one resident by My Number in one municipality's partition. */
  async find(code: string, myNumber: string): Promise<FindResult> {
    if (findMunicipality(code) === undefined) return { ok: false, code: 'VRS_MUNICIPALITY_UNKNOWN' };
    const k = this.keys.get(code);
    if (k === undefined)
      return {
        ok: false,
        // Every municipality of Japan is served; one that has no partition yet holds no records.
        code: this.keys.isShredded(code) ? 'VRS_DATA_SHREDDED' : 'VRS_NO_RECORD',
      };
    const residentHash = lookupHash(k.indexKey, myNumber);
    const r = await this.db.query<{ sealed: unknown }>(
      'SELECT sealed FROM vrs_resident WHERE municipality = $1 AND lookup = $2',
      [code, Buffer.from(residentHash)],
    );
    const row = r.rows[0];
    if (row === undefined) return { ok: false, code: 'VRS_NO_RECORD', residentHash };
    const record = openRecord(bytes(row.sealed), k.dataKey);
    // A record that does not open, or that names another number, was altered or moved between rows.
    if (record === undefined || record.myNumber !== myNumber)
      return { ok: false, code: 'VRS_RECORD_CORRUPT', residentHash };
    return { ok: true, record, residentHash };
  }

  /** Aggregate counts for the given municipalities (all when omitted). */
  async counts(codes?: readonly string[]): Promise<MunicipalityCounts[]> {
    const r = await this.db.query<{
      municipality: string;
      prefecture: string;
      shredded: boolean;
      dose_count: number | null;
      n: string | number;
    }>(
      `SELECT m.code AS municipality, m.prefecture, m.shredded_at IS NOT NULL AS shredded, r.dose_count, count(r.lookup) AS n
       FROM vrs_municipality m LEFT JOIN vrs_resident r ON r.municipality = m.code
       WHERE $1::text[] IS NULL OR m.code = ANY($1::text[])
       GROUP BY m.code, m.prefecture, m.shredded_at, r.dose_count ORDER BY m.code`,
      [codes === undefined ? null : [...codes]],
    );
    const out = new Map<string, MunicipalityCounts>();
    for (const row of r.rows) {
      let c = out.get(row.municipality);
      if (c === undefined) {
        c = {
          municipality: row.municipality,
          prefecture: row.prefecture,
          residents: 0,
          doses: 0,
          residentsByDoseCount: [0, 0, 0, 0, 0, 0, 0, 0],
          shredded: row.shredded || this.keys.isShredded(row.municipality),
        };
        out.set(row.municipality, c);
      }
      if (row.dose_count === null) continue;
      const n = Number(row.n);
      c.residents += n;
      c.doses += n * row.dose_count;
      c.residentsByDoseCount[row.dose_count] = (c.residentsByDoseCount[row.dose_count] ?? 0) + n;
    }
    return [...out.values()];
  }

  /** Marks the municipality shredded in the database (the key itself is destroyed by the key store). */
  async markShredded(code: string): Promise<void> {
    await this.db.query(
      'UPDATE vrs_municipality SET shredded_at = now() WHERE code = $1 AND shredded_at IS NULL',
      [code],
    );
  }
}
