import { randomFillSync } from 'node:crypto';
import { CodedError } from '../../protocol/errors/index.js';
import type { Db } from '../../common/db.js';
import { findMunicipality } from '../municipalities.js';
import type { ResidentRecord } from '../record.js';
import { timingSafeEqual } from 'node:crypto';
import type { KeyStore, MunicipalityKeys } from './keystore.js';
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
      code:
        | 'VRS_NO_RECORD'
        | 'VRS_MUNICIPALITY_UNKNOWN'
        | 'VRS_DATA_SHREDDED'
        | 'VRS_RECORD_CORRUPT'
        | 'VRS_KEY_UNAVAILABLE';
      residentHash?: Uint8Array;
    };

/** Why a municipality's key cannot be used (or made). */
export type KeyRefusal = 'VRS_DATA_SHREDDED' | 'VRS_KEY_UNAVAILABLE' | 'VRS_MUNICIPALITY_UNKNOWN';

/** A storage operation refused for a municipality (seeding a shredded one, a missing key, …). */
export class VrsStoreError extends CodedError<KeyRefusal | 'VRS_SIGNING_KEY_MISSING'> {}

/** Key-store trouble the store raises as an alert (identifiers only). */
export type KeyAlertKind = 'key-missing' | 'key-mismatch' | 'shredded-key-present';
export type KeyAlert = (kind: KeyAlertKind, text: string) => void;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

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
  readonly #alert: KeyAlert;
  /** Municipalities whose key file was checked against the database since it was loaded. */
  readonly #verified = new Set<string>();
  /** Municipalities the database (or a tombstone) says were shredded. */
  readonly #shredded = new Set<string>();

  private constructor(db: Db, keys: KeyStore, alert: KeyAlert) {
    this.db = db;
    this.keys = keys;
    this.#alert = alert;
  }

  /**
   * Opens the store (creating the tables). `alert` is told of key trouble: a key missing for a municipality
   * that has one on record or has rows, a key file that is not the one on record, a key file present for a
   * municipality the database says was shredded.
   */
  static async open(db: Db, keys: KeyStore, options: { alert?: KeyAlert } = {}): Promise<ResidentStore> {
    await migrate(db);
    const store = new ResidentStore(db, keys, options.alert ?? (() => undefined));
    const r = await db.query<{ code: string }>(
      'SELECT code FROM vrs_municipality WHERE shredded_at IS NOT NULL',
    );
    for (const row of r.rows) store.#shredded.add(row.code);
    return store;
  }

  /** Whether the municipality was crypto-shredded (the database's record, or a tombstone not yet recorded). */
  isShredded(code: string): boolean {
    return this.#shredded.has(code) || this.keys.isShredded(code);
  }

  /**
   * The municipality's keys, checked against the database, whose record is the authority:
   * - shredded there (or a tombstone is found): refused `VRS_DATA_SHREDDED`; a key file found anyway (a
   *   restored backup) is destroyed again and alerted; a tombstone not yet recorded is recorded;
   * - a key file whose check value is not the one on record: alert, `VRS_KEY_UNAVAILABLE`;
   * - no key file while the database has a key on record or the partition has rows: alert,
   *   `VRS_KEY_UNAVAILABLE` (a fresh key would silently turn every resident into "no record");
   * - no key and none ever: made when `create`, and its check value recorded; else `VRS_MUNICIPALITY_UNKNOWN`.
   */
  async keysFor(
    code: string,
    create: boolean,
  ): Promise<{ ok: true; keys: MunicipalityKeys } | { ok: false; code: KeyRefusal }> {
    const cached = this.keys.get(code);
    if (cached !== undefined && this.#verified.has(code)) return { ok: true, keys: cached };
    this.#verified.delete(code);
    const r = await this.db.query<{ shredded: boolean; key_check: unknown }>(
      'SELECT shredded_at IS NOT NULL AS shredded, key_check FROM vrs_municipality WHERE code = $1',
      [code],
    );
    const row = r.rows[0];
    const tombstone = this.keys.isShredded(code);
    if (row?.shredded === true || tombstone) {
      this.#shredded.add(code);
      if (row !== undefined && !row.shredded) await this.markShredded(code);
      if (this.keys.get(code) !== undefined || !tombstone) {
        if (this.keys.get(code) !== undefined)
          this.#alert('shredded-key-present', `municipality=${code} key file destroyed again`);
        this.keys.shred(code);
      }
      return { ok: false, code: 'VRS_DATA_SHREDDED' };
    }
    const onRecord = row?.key_check instanceof Uint8Array ? row.key_check : undefined;
    const keys = this.keys.get(code);
    if (keys !== undefined) {
      if (onRecord === undefined) {
        if (row !== undefined) await this.#recordKey(code, keys);
      } else if (!sameBytes(onRecord, keys.check)) {
        this.#alert('key-mismatch', `municipality=${code} key file is not the key on record`);
        return { ok: false, code: 'VRS_KEY_UNAVAILABLE' };
      }
      if (row !== undefined) this.#verified.add(code);
      return { ok: true, keys };
    }
    if (onRecord !== undefined || (await this.#hasRows(code))) {
      this.#alert('key-missing', `municipality=${code} has records but no key file; no new key made`);
      return { ok: false, code: 'VRS_KEY_UNAVAILABLE' };
    }
    if (!create) return { ok: false, code: 'VRS_MUNICIPALITY_UNKNOWN' };
    if (row === undefined) throw new Error(`municipality ${code} has no row; create it first`);
    const made = this.keys.create(code);
    await this.#recordKey(code, made);
    this.#verified.add(code);
    return { ok: true, keys: made };
  }

  async #recordKey(code: string, keys: MunicipalityKeys): Promise<void> {
    await this.db.query('UPDATE vrs_municipality SET key_check = $2 WHERE code = $1 AND key_check IS NULL', [
      code,
      Buffer.from(keys.check),
    ]);
  }

  async #hasRows(code: string): Promise<boolean> {
    if ((await partitionState(this.db, code)) === 'absent') return false;
    const any = await this.db.query(`SELECT 1 FROM ${partitionName(code)} LIMIT 1`);
    return any.rows.length > 0;
  }

  /** The keys for writing: made if the municipality never had one; a coded `VrsStoreError` otherwise. */
  async #keysForWriting(code: string, prefecture: string): Promise<MunicipalityKeys> {
    await this.db.query(
      'INSERT INTO vrs_municipality (code, prefecture) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING',
      [code, prefecture],
    );
    const k = await this.keysFor(code, true);
    if (!k.ok)
      throw new VrsStoreError(
        k.code,
        k.code === 'VRS_DATA_SHREDDED'
          ? `municipality ${code} was crypto-shredded: nothing can be added to it, and no new key is made`
          : `municipality ${code} has records but its key is missing or not the one on record (alert raised)`,
      );
    return k.keys;
  }

  /** Creates the municipality's partition and key (idempotent). Throws for a code not in the list. */
  async ensureMunicipality(code: string): Promise<void> {
    const m = findMunicipality(code);
    if (m === undefined) throw new TypeError(`municipality: ${code} is not a participating municipality`);
    await this.#keysForWriting(code, m.prefecture);
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
    await this.#keysForWriting(code, m.prefecture);
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
    const got = await this.keysFor(code, false);
    if (!got.ok)
      // Every municipality of Japan is served; one that never had a key holds no records.
      return { ok: false, code: got.code === 'VRS_MUNICIPALITY_UNKNOWN' ? 'VRS_NO_RECORD' : got.code };
    const k = got.keys;
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
          shredded: row.shredded || this.isShredded(row.municipality),
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
    this.#shredded.add(code);
    this.#verified.delete(code);
    await this.db.query(
      'UPDATE vrs_municipality SET shredded_at = now() WHERE code = $1 AND shredded_at IS NULL',
      [code],
    );
  }
}
