import { createHash, randomInt } from 'node:crypto';
import type { Db } from '../../common/db.js';
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
  store?: string | null;
  municipality?: string | null;
}

/**
 * One-time enrollment codes. Only a hash of each code is stored. A code allows one enrollment and at most
 * three failed attempts against it (a malformed or already-known key, or a wrong code sent with the name
 * the code was issued for); after that it is dead. Wrong codes are also counted per source address by the
 * intrusion detector.
 */
export class EnrollmentCodes {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  async create(
    options: {
      name?: string | undefined;
      ttlMs?: number | undefined;
      /** Where the kiosk will stand: the store's name and the municipality code (JIS X 0402, 6 digits). */
      store?: string | undefined;
      municipality?: string | undefined;
    } = {},
  ): Promise<{
    code: string;
    expiresAt: string;
  }> {
    const ttl = options.ttlMs ?? ENROLL_DEFAULT_TTL_MS;
    if (!Number.isInteger(ttl) || ttl <= 0 || ttl > ENROLL_MAX_TTL_MS)
      throw new RangeError('ttlMs: 1 ms … 7 days');
    let code = '';
    for (let i = 0; i < ENROLL_CODE_LENGTH; i++) code += ENROLL_ALPHABET[randomInt(ENROLL_ALPHABET.length)];
    const expiresAt = new Date(this.#now() + ttl).toISOString();
    await this.#db.query(
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
      expiresAt: string;
      triesLeft: number;
      store: string | null;
      municipality: string | null;
    }>
  > {
    const r = await this.#db.query<CodeRow>(
      'SELECT * FROM relay_enroll_codes WHERE used_at IS NULL AND tries_left > 0 AND expires_at > $1 ORDER BY expires_at',
      [new Date(this.#now()).toISOString()],
    );
    return r.rows.map((row) => ({
      name: row.name,
      expiresAt: new Date(row.expires_at).toISOString(),
      triesLeft: row.tries_left,
      store: row.store ?? null,
      municipality: row.municipality ?? null,
    }));
  }

  async redeem(input: { code: string; publicKey: string; name?: string | undefined }): Promise<RedeemResult> {
    const code = normalizeCode(input.code);
    const now = new Date(this.#now());
    return this.#db.transaction(async (tx): Promise<RedeemResult> => {
      const burnByName = async () => {
        if (input.name === undefined) return;
        await tx.query(
          `UPDATE relay_enroll_codes SET tries_left = tries_left - 1
            WHERE name = $1 AND used_at IS NULL AND tries_left > 0 AND expires_at > $2`,
          [input.name, now.toISOString()],
        );
      };
      if (!CODE_RE.test(code)) {
        await burnByName();
        return { ok: false, code: 'RELAY_ENROLL_CODE_INVALID' };
      }
      const r = await tx.query<CodeRow>('SELECT * FROM relay_enroll_codes WHERE code_hash = $1 FOR UPDATE', [
        hashCode(code),
      ]);
      const row = r.rows[0];
      if (row === undefined) {
        await burnByName();
        return { ok: false, code: 'RELAY_ENROLL_CODE_INVALID' };
      }
      if (row.used_at !== null || row.tries_left <= 0)
        return { ok: false, code: 'RELAY_ENROLL_CODE_INVALID' };
      if (new Date(row.expires_at).getTime() <= now.getTime())
        return { ok: false, code: 'RELAY_ENROLL_CODE_EXPIRED' };
      const burn = () =>
        tx.query('UPDATE relay_enroll_codes SET tries_left = tries_left - 1 WHERE code_hash = $1', [
          row.code_hash,
        ]);
      if (!isKioskId(input.publicKey)) {
        await burn();
        return { ok: false, code: 'RELAY_ENROLL_KEY_INVALID' };
      }
      const name = input.name ?? row.name;
      const ins = await tx.query(
        `INSERT INTO relay_kiosks (kiosk_id, name, store, municipality, prefecture) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kiosk_id) DO NOTHING`,
        [
          input.publicKey,
          name,
          row.store ?? null,
          row.municipality ?? null,
          row.municipality?.slice(0, 2) ?? null,
        ],
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
    });
  }
}
