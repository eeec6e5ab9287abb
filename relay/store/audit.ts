import { createHash } from 'node:crypto';
import type { Db, DbTx } from '../../common/db.js';
import { isWellFormedText } from '../../protocol/index.js';

/** The values an audit record may carry: routing data only, never personal data. */
export type AuditValue = string | number | boolean | null;

export interface AuditInput {
  kind: string;
  requestId?: string | undefined;
  kioskId?: string | undefined;
  municipality?: string | undefined;
  detail?: Record<string, AuditValue>;
}

export interface AuditEntry {
  seq: number;
  at: string;
  kind: string;
  requestId: string | null;
  kioskId: string | null;
  municipality: string | null;
  detail: Record<string, AuditValue>;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Sorted-key JSON of the record without its hashes: the bytes the chain hashes. */
export function canonicalRecord(e: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  const detail: Record<string, AuditValue> = {};
  for (const k of Object.keys(e.detail).sort()) detail[k] = e.detail[k] ?? null;
  return JSON.stringify([e.seq, e.at, e.kind, e.requestId, e.kioskId, e.municipality, detail]);
}

/** hash = sha256(prev_hash ‖ canonical record), hex. */
export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

interface Pending {
  input: AuditInput;
  resolve: (e: AuditEntry) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 400;
const MAX_TEXT = 2000;

function checkText(name: string, v: string): void {
  if (v.length > MAX_TEXT) throw new TypeError(`${name}: at most ${MAX_TEXT} characters`);
  if (!isWellFormedText(v)) throw new TypeError(`${name}: not well-formed Unicode`);
  if (v.includes('\0')) throw new TypeError(`${name}: NUL`);
}

/**
 * Refuses a record that the database would refuse (text that is not well-formed Unicode, which `jsonb`
 * rejects, a NUL, a number that is not finite, a value of another type), before it joins a batch.
 */
export function checkAuditInput(input: AuditInput): void {
  if (typeof input !== 'object' || input === null) throw new TypeError('audit record: object expected');
  if (typeof input.kind !== 'string' || input.kind === '')
    throw new TypeError('kind: non-empty string expected');
  checkText('kind', input.kind);
  for (const f of ['requestId', 'kioskId', 'municipality'] as const) {
    const v = input[f];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new TypeError(`${f}: string expected`);
    checkText(f, v);
  }
  if (input.detail === undefined) return;
  if (typeof input.detail !== 'object' || input.detail === null)
    throw new TypeError('detail: object expected');
  for (const [k, v] of Object.entries(input.detail)) {
    checkText('detail key', k);
    if (typeof v === 'string') checkText(`detail.${k}`, v);
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new TypeError(`detail.${k}: finite number expected`);
    } else if (typeof v !== 'boolean' && v !== null)
      throw new TypeError(`detail.${k}: string, number, boolean or null`);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/**
 * Whether a failed write says the store cannot take records (disk or quota full: SQLSTATE class 53; the
 * connection or the server gone: class 08, 57P, or no code at all) rather than that this one record was
 * refused (data exceptions and constraint violations, classes 22 and 23).
 */
export function storageErrorCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return 'connection';
  if (code.startsWith('22') || code.startsWith('23')) return undefined;
  return code;
}

/** The audit store's availability: `writable` false from a failed write until a write succeeds again. */
export interface AuditAvailability {
  writable: boolean;
  /** When the store stopped taking records (ms since the epoch), or null. */
  since: number | null;
  /** The SQLSTATE of the failure (53100 = disk full), `connection`, or null. */
  code: string | null;
}

/** How often a store that cannot take records is tried again (with an `audit.resumed` record). */
export const AUDIT_PROBE_MS = 2_000;

/**
 * The insert-only, hash-chained audit log (tamper-evident). `append` resolves once the record is
 * committed, so callers answer the kiosk only after the record is durable. Appends are group-committed:
 * records that arrive while a transaction is running go into the next one. The chain head lives in a
 * single-row table locked `FOR UPDATE` in the same transaction, which keeps the chain consistent when
 * several relay processes share one PostgreSQL.
 */
export class AuditLog {
  readonly #db: Db;
  #queue: Pending[] = [];
  #flushing = false;
  #scheduled = false;
  #head: Head | undefined;
  #down: { since: number; code: string } | undefined;
  #probe: NodeJS.Timeout | undefined;
  #probing: Promise<boolean> | undefined;
  #closed = false;
  readonly #availabilityListeners = new Set<(a: AuditAvailability) => void>();
  readonly #probeMs: number;

  constructor(db: Db, options: { probeMs?: number } = {}) {
    this.#db = db;
    this.#probeMs = options.probeMs ?? AUDIT_PROBE_MS;
  }

  /**
   * Whether records can be stored now. While they cannot, nothing that needs a record may happen (the
   * forwarder refuses requests before they reach VRS), and the store is tried again every `probeMs` with an
   * `audit.resumed` record (which, once stored, says how long it was unavailable).
   */
  get availability(): AuditAvailability {
    const d = this.#down;
    return { writable: d === undefined, since: d?.since ?? null, code: d?.code ?? null };
  }

  /** Called when the availability changes (down, or back). */
  onAvailability(fn: (a: AuditAvailability) => void): () => void {
    this.#availabilityListeners.add(fn);
    return () => this.#availabilityListeners.delete(fn);
  }

  /** Stops the probe of an unavailable store. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#probe);
  }

  #written(): void {
    if (this.#down === undefined) return;
    this.#down = undefined;
    clearTimeout(this.#probe);
    for (const fn of this.#availabilityListeners) fn(this.availability);
  }

  #failed(err: unknown): void {
    const code = storageErrorCode(err);
    if (code === undefined) return;
    const first = this.#down === undefined;
    this.#down ??= { since: Date.now(), code };
    if (first) for (const fn of this.#availabilityListeners) fn(this.availability);
    this.#scheduleProbe();
  }

  /**
   * Whether records can be stored: at once when the store is available; otherwise it is tried now (one
   * `audit.resumed` record, shared by concurrent callers), so the first request after the store came back
   * is not refused for nothing.
   */
  checkWritable(): Promise<boolean> {
    const d = this.#down;
    if (d === undefined) return Promise.resolve(true);
    this.#probing ??= this.append({
      kind: 'audit.resumed',
      detail: { unavailableSeconds: Math.round((Date.now() - d.since) / 1000), code: d.code },
    })
      .then(
        () => true,
        () => false,
      )
      .finally(() => (this.#probing = undefined));
    return this.#probing;
  }

  #scheduleProbe(): void {
    if (this.#closed || this.#probe !== undefined) return;
    this.#probe = setTimeout(() => {
      this.#probe = undefined;
      if (this.#down !== undefined && !this.#closed) void this.checkWritable();
    }, this.#probeMs);
    this.#probe.unref();
  }

  /**
   * Appends one record (group-committed with the records of the same turn). Throws a TypeError for a record
   * that could never be stored (see `checkAuditInput`), before it joins a batch, so it cannot fail others.
   */
  append(input: AuditInput): Promise<AuditEntry> {
    checkAuditInput(input);
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Flushes after the current turn of the event loop (`setImmediate`: once this poll phase's I/O callbacks
   * have run), so every record produced by one batch of socket reads goes into one statement. Started at
   * once on the first append instead, an embedded PGlite — whose statements run on this thread, ≈ 450 µs
   * of CPU each — committed batches of one or two under load.
   */
  #schedule(): void {
    if (this.#flushing || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      for (let first = true; this.#queue.length > 0; first = false) {
        // Between batches, let this turn's socket reads add their records first (see #schedule).
        if (!first) await new Promise((r) => setImmediate(r));
        const batch = this.#queue.splice(0, MAX_BATCH);
        const inputs = batch.map((p) => p.input);
        for (let attempt = 1; ; attempt++) {
          try {
            this.#head ??= await readHead(this.#db);
            const entries = await writeBatch(this.#db, { ...this.#head }, inputs);
            const last = entries[entries.length - 1] as AuditEntry;
            this.#head = { seq: last.seq, hash: last.hash };
            this.#written();
            batch.forEach((p, i) => p.resolve(entries[i] as AuditEntry));
            break;
          } catch (err) {
            this.#head = undefined; // another process appended (or the write failed): re-read the head
            if (attempt < 20 && isUniqueViolation(err)) continue;
            // One record the database refuses must not fail its neighbours: each is tried on its own.
            if (batch.length > 1) await this.#writeEach(batch);
            else {
              this.#failed(err);
              for (const p of batch) p.reject(err);
            }
            break;
          }
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** After a failed batch: every member in its own statement, so only the records refused fail. */
  async #writeEach(batch: Pending[]): Promise<void> {
    for (const p of batch) {
      for (let attempt = 1; ; attempt++) {
        try {
          this.#head ??= await readHead(this.#db);
          const [entry] = await writeBatch(this.#db, { ...this.#head }, [p.input]);
          this.#head = { seq: (entry as AuditEntry).seq, hash: (entry as AuditEntry).hash };
          this.#written();
          p.resolve(entry as AuditEntry);
          break;
        } catch (err) {
          this.#head = undefined;
          if (attempt < 20 && isUniqueViolation(err)) continue;
          this.#failed(err);
          p.reject(err);
          break;
        }
      }
    }
  }

  /**
   * Appends records inside the caller's transaction, so an operator action and its record commit together
   * or not at all. The head row is locked (`FOR UPDATE`) until the transaction ends; group-committed appends
   * by this or another process meanwhile wait for it, then see the new head (primary key refusal → re-read).
   */
  async appendInTx(tx: DbTx, inputs: AuditInput[]): Promise<AuditEntry[]> {
    this.#head = undefined; // the cached head is stale once this commits
    return appendInTx(tx, inputs);
  }

  /** The records of one request made by one kiosk, oldest first (answer and outcomes; a short list). */
  async ofRequest(requestId: string, kioskId: string): Promise<AuditEntry[]> {
    const r = await this.#db.query<AuditRow>(
      'SELECT * FROM relay_audit WHERE request_id = $1 AND kiosk_id = $2 ORDER BY seq LIMIT 20',
      [requestId, kioskId],
    );
    return r.rows.map(fromRow);
  }

  /** Records after `afterSeq`, oldest first (the export; no personal data to strip). */
  async list(afterSeq = 0, limit = 1000): Promise<AuditEntry[]> {
    const r = await this.#db.query<AuditRow>(
      'SELECT * FROM relay_audit WHERE seq > $1 ORDER BY seq LIMIT $2',
      [afterSeq, limit],
    );
    return r.rows.map(fromRow);
  }

  /** Walks the whole chain, recomputing each hash and checking it against the head. */
  async verify(): Promise<AuditVerification> {
    let prev = GENESIS_HASH;
    let expectSeq = 1;
    for (;;) {
      const page = await this.list(expectSeq - 1, 2000);
      for (const e of page) {
        if (e.seq !== expectSeq || e.prevHash !== prev)
          return { ok: false, code: 'RELAY_AUDIT_CHAIN_BROKEN', seq: e.seq };
        const { prevHash: _p, hash: _h, ...rest } = e;
        if (chainHash(prev, canonicalRecord(rest)) !== e.hash) {
          return { ok: false, code: 'RELAY_AUDIT_CHAIN_BROKEN', seq: e.seq };
        }
        prev = e.hash;
        expectSeq++;
      }
      if (page.length < 2000) break;
    }
    const head = await this.#db.query<{ seq: string | number; hash: string }>(
      'SELECT seq, hash FROM relay_audit_head WHERE id = 1',
    );
    const h = head.rows[0];
    if (h === undefined || Number(h.seq) !== expectSeq - 1 || h.hash !== prev) {
      return { ok: false, code: 'RELAY_AUDIT_CHAIN_BROKEN', seq: expectSeq };
    }
    return { ok: true, count: expectSeq - 1, head: prev };
  }
}

export type AuditVerification =
  { ok: true; count: number; head: string } | { ok: false; code: 'RELAY_AUDIT_CHAIN_BROKEN'; seq: number };

interface AuditRow {
  seq: string | number;
  at: Date | string;
  kind: string;
  request_id: string | null;
  kiosk_id: string | null;
  municipality: string | null;
  detail: Record<string, AuditValue> | string;
  prev_hash: string;
  hash: string;
}

function fromRow(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: (r.at instanceof Date ? r.at : new Date(r.at)).toISOString(),
    kind: r.kind,
    requestId: r.request_id,
    kioskId: r.kiosk_id,
    municipality: r.municipality,
    detail: typeof r.detail === 'string' ? (JSON.parse(r.detail) as Record<string, AuditValue>) : r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

interface Head {
  seq: number;
  hash: string;
}

async function readHead(db: Db): Promise<Head> {
  const r = await db.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM relay_audit_head WHERE id = 1',
  );
  const h = r.rows[0];
  if (h === undefined) throw new Error('audit head missing (schema not migrated)');
  return { seq: Number(h.seq), hash: h.hash };
}

/** Rows and head move together, atomically; `relay_audit_append` as a prepared statement. */
const APPEND_SQL = `WITH ins AS (
    INSERT INTO relay_audit SELECT * FROM jsonb_populate_recordset(NULL::relay_audit, $1::jsonb) RETURNING seq)
  UPDATE relay_audit_head SET seq = $2::bigint, hash = $3::text
   WHERE id = 1 AND seq < $2::bigint AND (SELECT count(*) FROM ins) > 0`;

/**
 * Appends a batch in ONE statement (rows + head move together, atomically). The head is cached; if
 * another relay process appended meanwhile, the primary key on `seq` refuses the batch and the caller
 * re-reads the head and recomputes (optimistic concurrency: a record's hash never depends on stale data).
 */
/**
 * Appends records inside the caller's transaction, so an action and its record commit together or not at all
 * (operator actions, alert acknowledgements, `AuditLog.appendInTx`). The chain head is locked `FOR UPDATE` for
 * the rest of the transaction; a group committer that cached the head meets the moved head as a primary-key
 * conflict and re-reads it, exactly as when another relay process appended.
 */
export async function appendInTx(tx: DbTx, inputs: AuditInput[], now = new Date()): Promise<AuditEntry[]> {
  for (const input of inputs) checkAuditInput(input); // a record the database would refuse fails here
  if (inputs.length === 0) return [];
  const r = await tx.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM relay_audit_head WHERE id = 1 FOR UPDATE',
  );
  const h = r.rows[0];
  if (h === undefined) throw new Error('audit head missing (schema not migrated)');
  return writeBatch(
    (sql, params) => tx.query(sql, params),
    { seq: Number(h.seq), hash: h.hash },
    inputs,
    now,
  );
}

async function writeBatch(
  db: Db | ((sql: string, params: unknown[]) => Promise<unknown>),
  head: Head,
  inputs: AuditInput[],
  now = new Date(),
): Promise<AuditEntry[]> {
  let seq = head.seq;
  let prev = head.hash;
  const at = now.toISOString();
  const entries: AuditEntry[] = [];
  const rows: unknown[] = [];
  for (const input of inputs) {
    seq++;
    const base = {
      seq,
      at,
      kind: input.kind,
      requestId: input.requestId ?? null,
      kioskId: input.kioskId ?? null,
      municipality: input.municipality ?? null,
      detail: input.detail ?? {},
    };
    const hash = chainHash(prev, canonicalRecord(base));
    entries.push({ ...base, prevHash: prev, hash });
    rows.push({
      seq,
      at,
      kind: base.kind,
      request_id: base.requestId,
      kiosk_id: base.kioskId,
      municipality: base.municipality,
      detail: base.detail,
      prev_hash: prev,
      hash,
    });
    prev = hash;
  }
  // One JSON parameter for the whole batch (about twice as fast in PGlite as a VALUES list of
  // parameters), in a statement planned once: planning this one cost PGlite ≈ 0.25 ms per batch.
  const params = [JSON.stringify(rows), seq, prev];
  if (typeof db === 'function') await db(APPEND_SQL, params);
  else await db.queryPrepared('relay_audit_append', APPEND_SQL, params);
  head.seq = seq;
  head.hash = prev;
  return entries;
}
