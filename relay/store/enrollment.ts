import { createHash, randomInt } from 'node:crypto';
import type { Db, DbTx } from '../../common/db.js';
import { isKioskId } from './keys.js';

/** 32 symbols without 0/O, 1/I: 8 of them carry 40 bits. */
export const ENROLL_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const ENROLL_CODE_LENGTH = 8;
export const ENROLL_TRIES = 3;
export const ENROLL_DEFAULT_TTL_MS = 60 * 60 * 1000;
export const ENROLL_MAX_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const CODE_RE = new RegExp(`^[${ENROLL_ALPHABET}]{${ENROLL_CODE_LENGTH}}$`);

/** Upper-cases and drops spaces and hyphens, as operators read codes out in groups of four. */
export function normalizeCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]/g, '');
}

const hashCode = (code: string): string => createHash('sha256').update(`relay-enroll:${code}`).digest('hex');

export type RedeemResult =
  | { ok: true; kioskId: string; name: string | null }
  | {
      ok: false;
      code:
        | 'RELAY_ENROLL_CODE_INVALID'
        | 'RELAY_ENROLL_CODE_EXPIRED'
        | 'RELAY_ENROLL_KEY_INVALID'
        | 'RELAY_KIOSK_ALREADY_ENROLLED';
    };

interface CodeRow {
  code_hash: string;
  name: string | null;
  expires_at: Date | string;
  tries_left: number;
  used_at: Date | string | null;
  store: string | null;
  municipality: string | null;
}

/** Where a kiosk enrolled with a code will stand. */
export interface CodePlace {
  /** The store's name as operators know it (shown on the dashboard, as text). */
  store?: string | undefined;
  /** The municipality code (JIS X 0402, 6 digits); its first two digits are the prefecture (JIS X 0401). */
  municipality?: string | undefined;
}

export type CreateCodeOptions = { name?: string | undefined; ttlMs?: number | undefined } & CodePlace;

const MUNICIPALITY_RE = /^\d{6}$/;

/**
 * One-time enrollment codes. Only a hash of each code is stored. A code allows one enrollment and at most
 * three failed attempts with it (a malformed or already-known key sent with the right code); after that it
 * is dead. Wrong codes never touch a stored code (an anonymous guesser must not be able to destroy one):
 * the intrusion detector throttles them per source, per target name and globally.
 */
export class EnrollmentCodes {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  async create(options: CreateCodeOptions = {}): Promise<{ code: string; expiresAt: string }> {
    return this.createIn(this.#db, options);
  }

  /** `create` in the caller's transaction. */
  async createIn(q: DbTx, options: CreateCodeOptions = {}): Promise<{ code: string; expiresAt: string }> {
    const ttl = options.ttlMs ?? ENROLL_DEFAULT_TTL_MS;
    if (!Number.isInteger(ttl) || ttl <= 0 || ttl > ENROLL_MAX_TTL_MS)
      throw new RangeError('ttlMs: 1 ms … 7 days');
    if (options.municipality !== undefined && !MUNICIPALITY_RE.test(options.municipality))
      throw new RangeError('municipality: 6 digits (JIS X 0402)');
    let code = '';
    for (let i = 0; i < ENROLL_CODE_LENGTH; i++) code += ENROLL_ALPHABET[randomInt(ENROLL_ALPHABET.length)];
    const expiresAt = new Date(this.#now() + ttl).toISOString();
    await q.query(
      `INSERT INTO relay_enroll_codes (code_hash, name, expires_at, tries_left, store, municipality)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        hashCode(code),
        options.name ?? null,
        expiresAt,
        ENROLL_TRIES,
        options.store ?? null,
        options.municipality ?? null,
      ],
    );
    return { code, expiresAt };
  }

  /** Codes not yet used and not expired (without the codes themselves). */
  async listPending(): Promise<
    Array<{
      name: string | null;
      store: string | null;
      municipality: string | null;
      expiresAt: string;
      triesLeft: number;
    }>
  > {
    const r = await this.#db.query<CodeRow>(
      'SELECT * FROM relay_enroll_codes WHERE used_at IS NULL AND tries_left > 0 AND expires_at > $1 ORDER BY expires_at',
      [new Date(this.#now()).toISOString()],
    );
    return r.rows.map((row) => ({
      name: row.name,
      store: row.store,
      municipality: row.municipality,
      expiresAt: new Date(row.expires_at).toISOString(),
      triesLeft: row.tries_left,
    }));
  }

  /**
   * Redeems a code. `then` runs in the same transaction with the result (the caller's audit record), so
   * the enrollment, a burnt try and its record commit together or not at all.
   */
  async redeem(
    input: { code: string; publicKey: string; name?: string | undefined },
    then?: (tx: DbTx, result: RedeemResult) => Promise<void>,
  ): Promise<RedeemResult> {
    const code = normalizeCode(input.code);
    const now = new Date(this.#now());
    return this.#db.transaction(async (tx): Promise<RedeemResult> => {
      const r = await this.#redeemIn(tx, input, code, now);
      if (then !== undefined) await then(tx, r);
      return r;
    });
  }

  async #redeemIn(
    tx: DbTx,
    input: { code: string; publicKey: string; name?: string | undefined },
    code: string,
    now: Date,
  ): Promise<RedeemResult> {
    // A wrong code never costs a real code a try, whatever name it is sent with: anyone could guess a
    // store's name and burn its code. Guessing is throttled per source, per target name and globally (Ids).
    if (!CODE_RE.test(code)) return { ok: false, code: 'RELAY_ENROLL_CODE_INVALID' };
    const r = await tx.query<CodeRow>('SELECT * FROM relay_enroll_codes WHERE code_hash = $1 FOR UPDATE', [
      hashCode(code),
    ]);
    const row = r.rows[0];
    if (row === undefined) return { ok: false, code: 'RELAY_ENROLL_CODE_INVALID' };
    if (row.used_at !== null || row.tries_left <= 0) return { ok: false, code: 'RELAY_ENROLL_CODE_INVALID' };
    if (new Date(row.expires_at).getTime() <= now.getTime())
      return { ok: false, code: 'RELAY_ENROLL_CODE_EXPIRED' };
    // Whoever sends the right code holds it: a malformed or known key with it costs the code a try.
    const burn = () =>
      tx.query('UPDATE relay_enroll_codes SET tries_left = tries_left - 1 WHERE code_hash = $1', [
        row.code_hash,
      ]);
    if (!isKioskId(input.publicKey)) {
      await burn();
      return { ok: false, code: 'RELAY_ENROLL_KEY_INVALID' };
    }
    const name = input.name ?? row.name;
    // The kiosk takes the place its code was made for: the dashboard shows it there from its first heartbeat.
    const ins = await tx.query(
      `INSERT INTO relay_kiosks (kiosk_id, name, store, municipality, prefecture) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kiosk_id) DO NOTHING`,
      [input.publicKey, name, row.store, row.municipality, row.municipality?.slice(0, 2) ?? null],
    );
    if (ins.affectedRows !== 1) {
      await burn();
      return { ok: false, code: 'RELAY_KIOSK_ALREADY_ENROLLED' };
    }
    await tx.query('UPDATE relay_enroll_codes SET used_at = $2, kiosk_id = $3 WHERE code_hash = $1', [
      row.code_hash,
      now.toISOString(),
      input.publicKey,
    ]);
    return { ok: true, kioskId: input.publicKey, name };
  }
}
