import type { DbTx } from '../../common/db.js';

/**
 * The stand-in's tables. Residents live in one table partitioned by LIST on the municipality code, a
 * partition per municipality (`vrs_resident_<code>`): PostgreSQL's own "logically separated area per
 * municipality" — each partition has its own heap and index files and can be detached, dumped or dropped
 * alone, a lookup is pruned to one partition, and both back ends (PGlite and a server) run the same DDL.
 * A table per municipality would give the same separation with hand-written routing; partitioning keeps one
 * query surface.
 *
 * Only `lookup` (a keyed hash), `sealed` (nonce ‖ secretbox) and `dose_count` are stored; the person is in
 * `sealed`.
 * `dose_count` is kept in clear for the aggregate views of prefecture and national roles (a count with no
 * identity attached).
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS vrs_municipality (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
  prefecture text NOT NULL CHECK (prefecture ~ '^[0-9]{2}$'),
  shredded_at timestamptz
);
CREATE TABLE IF NOT EXISTS vrs_resident (
  municipality text NOT NULL,
  lookup bytea NOT NULL CHECK (octet_length(lookup) = 32),
  sealed bytea NOT NULL CHECK (octet_length(sealed) > 40),
  dose_count smallint NOT NULL CHECK (dose_count BETWEEN 0 AND 7),
  PRIMARY KEY (municipality, lookup)
) PARTITION BY LIST (municipality);
CREATE TABLE IF NOT EXISTS vrs_issuance (
  id bigserial PRIMARY KEY,
  request_id text NOT NULL,
  kiosk_id text,
  municipality text,
  at timestamptz NOT NULL DEFAULT now(),
  outcome text NOT NULL,
  code text,
  resident_hash bytea,
  certificate_id text
);
CREATE INDEX IF NOT EXISTS vrs_issuance_at ON vrs_issuance (at);
CREATE TABLE IF NOT EXISTS vrs_certificate (
  certificate_id text PRIMARY KEY,
  rid text NOT NULL UNIQUE,
  kid text NOT NULL,
  municipality text NOT NULL,
  cert_type text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS vrs_certificate_kid ON vrs_certificate (kid) WHERE revoked_at IS NOT NULL;
ALTER TABLE vrs_municipality ADD COLUMN IF NOT EXISTS key_check bytea CHECK (octet_length(key_check) = 32);
CREATE TABLE IF NOT EXISTS vrs_alert (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL,
  detail text NOT NULL
);
`;

/** Creates the tables (idempotent). */
export async function migrate(db: DbTx): Promise<void> {
  await db.exec(SCHEMA_SQL);
}

/** The partition of one municipality; the code is checked so it can be put in DDL. */
export function partitionName(code: string): string {
  if (!/^\d{6}$/.test(code)) throw new TypeError('municipality: 6-digit code expected');
  return `vrs_resident_${code}`;
}

/** Creates the municipality's row and partition (idempotent). */
export async function ensurePartition(db: DbTx, code: string, prefecture: string): Promise<void> {
  const table = partitionName(code);
  await db.exec(`CREATE TABLE IF NOT EXISTS ${table} PARTITION OF vrs_resident FOR VALUES IN ('${code}')`);
  await db.query(
    'INSERT INTO vrs_municipality (code, prefecture) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING',
    [code, prefecture],
  );
}

/** Whether a municipality's partition exists, and whether it is attached (served) or still loading. */
export async function partitionState(db: DbTx, code: string): Promise<'absent' | 'attached' | 'loading'> {
  const table = partitionName(code);
  const r = await db.query<{ attached: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid) AS attached
     FROM pg_class c WHERE c.relname = $1 AND c.relkind = 'r'`,
    [table],
  );
  const row = r.rows[0];
  return row === undefined ? 'absent' : row.attached ? 'attached' : 'loading';
}

/**
 * Bulk loading (the seeder): the partition is made as a plain table with no index, filled, then given its
 * primary key in one sorted build and attached — several times faster than maintaining a B-tree on random
 * keys row by row. A table left in 'loading' state by a crash was never served and is dropped and rebuilt.
 */
export async function createLoadingTable(db: DbTx, code: string): Promise<string> {
  const table = partitionName(code);
  await db.exec(
    `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (LIKE vrs_resident INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
  );
  return table;
}

/** Indexes a loaded table and attaches it as the municipality's partition (its CHECK spares the scan). */
export async function attachLoadedTable(db: DbTx, code: string, prefecture: string): Promise<void> {
  const table = partitionName(code);
  await db.exec(
    `ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (municipality, lookup);
     ALTER TABLE ${table} ADD CONSTRAINT ${table}_only CHECK (municipality = '${code}');
     ALTER TABLE vrs_resident ATTACH PARTITION ${table} FOR VALUES IN ('${code}')`,
  );
  await db.query(
    'INSERT INTO vrs_municipality (code, prefecture) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING',
    [code, prefecture],
  );
}
