import { createHmac, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** The two keys of one municipality, derived from its master key. */
export interface MunicipalityKeys {
  /** secretbox key for the sealed records (32 bytes). */
  readonly dataKey: Uint8Array;
  /** HMAC-SHA-256 key for the My Number lookup column and the audit hash (32 bytes). */
  readonly indexKey: Uint8Array;
  /**
   * Key check value (32 bytes, public): HMAC-SHA-256 of the master key under its own label. The database
   * records it when the key is made, so a key file swapped for another is noticed; it reveals nothing of
   * the key.
   */
  readonly check: Uint8Array;
}

const KeyFileSchema = z.object({
  v: z.literal(1),
  municipality: z.string().regex(/^\d{6}$/),
  masterKey: z.base64(),
  createdAt: z.string(),
});

const CODE = /^\d{6}$/;

function checkCode(code: string): void {
  if (typeof code !== 'string' || !CODE.test(code))
    throw new TypeError('municipality: 6-digit code expected');
}

function derive(master: Uint8Array, label: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', master).update(label).digest());
}

/**
 * Per-municipality data keys, one JSON file each under `<stateDir>/keys/` (folder 0700, files 0600), kept
 * apart from the database: a copy of the database alone reveals nothing.
 *
 * Each file holds a random 32-byte master key; the data key and the index key are derived from it with
 * HMAC-SHA-256 under fixed labels, so destroying the one file destroys both ("crypto-shredding").
 * A shredded municipality leaves a tombstone so that no new key is ever made for it by accident.
 *
 * This class only holds files. Whether a key may be made, and whether a missing key is an alarm, is decided
 * by `ResidentStore` against the database, whose record of the shredding (`shredded_at`) and of the key
 * (`key_check`) is the authority: a deleted tombstone or key file never leads to a fresh key.
 *
 * @example
 *   const keys = new KeyStore(join(stateDir, 'keys'));
 *   const { dataKey, indexKey } = keys.get('131016') ?? keys.create('131016');
 */
export class KeyStore {
  readonly #dir: string;
  readonly #cache = new Map<string, MunicipalityKeys>();

  constructor(dir: string) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError('dir: folder path expected');
    this.#dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }

  #file(code: string): string {
    return join(this.#dir, `${code}.json`);
  }

  #tombstone(code: string): string {
    return join(this.#dir, `${code}.shredded`);
  }

  #forget(code: string, keys: MunicipalityKeys): void {
    (keys.dataKey as Uint8Array).fill(0);
    (keys.indexKey as Uint8Array).fill(0);
    this.#cache.delete(code);
  }

  isShredded(code: string): boolean {
    checkCode(code);
    return existsSync(this.#tombstone(code));
  }

  /** The municipality's keys, or undefined when it has none (never created, or shredded). */
  get(code: string): MunicipalityKeys | undefined {
    checkCode(code);
    const file = this.#file(code);
    const cached = this.#cache.get(code);
    // The file is checked on every use: a `shred` run by another process takes effect at once.
    if (!existsSync(file)) {
      if (cached !== undefined) this.#forget(code, cached);
      return undefined;
    }
    if (cached !== undefined) return cached;
    if ((statSync(file).mode & 0o077) !== 0) throw new Error(`key file for ${code} is readable by others`);
    const parsed = KeyFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.municipality !== code) throw new Error(`key file for ${code} names another municipality`);
    const master = new Uint8Array(Buffer.from(parsed.masterKey, 'base64'));
    if (master.length !== 32) throw new Error(`key file for ${code}: master key must be 32 bytes`);
    const keys = {
      dataKey: derive(master, 'vrs-sim/data-key/v1'),
      indexKey: derive(master, 'vrs-sim/index-key/v1'),
      check: derive(master, 'vrs-sim/key-check/v1'),
    };
    master.fill(0);
    this.#cache.set(code, keys);
    return keys;
  }

  /**
   * Makes the municipality's key. Throws when it already has one or was shredded (its tombstone). Only
   * `ResidentStore` calls this, after the database said the municipality never had a key.
   */
  create(code: string): MunicipalityKeys {
    if (this.get(code) !== undefined) throw new Error(`municipality ${code} already has a key`);
    if (this.isShredded(code))
      throw new Error(`municipality ${code} was crypto-shredded; no new key is made`);
    const body = {
      v: 1,
      municipality: code,
      masterKey: randomBytes(32).toString('base64'),
      createdAt: new Date().toISOString(),
    };
    writeFileSync(this.#file(code), JSON.stringify(body) + '\n', { mode: 0o600, flag: 'wx' });
    const keys = this.get(code);
    if (keys === undefined) throw new Error(`key file for ${code} vanished`);
    return keys;
  }

  /**
   * Destroys the municipality's master key: overwrites the file with random bytes, syncs it, unlinks it,
   * and leaves a tombstone. Returns false when there was no key to destroy.
   */
  shred(code: string): boolean {
    checkCode(code);
    const cached = this.#cache.get(code);
    if (cached !== undefined) this.#forget(code, cached);
    writeFileSync(this.#tombstone(code), JSON.stringify({ shreddedAt: new Date().toISOString() }) + '\n', {
      mode: 0o600,
    });
    const file = this.#file(code);
    if (!existsSync(file)) return false;
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    try {
      writeSync(fd, randomBytes(Math.max(size, 64)), 0, Math.max(size, 64), 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    unlinkSync(file);
    return true;
  }
}
