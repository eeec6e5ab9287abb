import { createHmac, randomFillSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { z } from 'zod';
import { PRODUCT_IDS } from '../products.js';
import { ResidentRecordSchema, type ResidentRecord } from '../record.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const NONCE = nacl.secretbox.nonceLength;

/**
 * The lookup column: HMAC-SHA-256 of the My Number under the municipality's index key. Without the key it
 * reveals nothing (the 10^11 space of valid numbers cannot be enumerated against a keyed hash), and the
 * same number in two municipalities hashes differently. Also the audit log's resident reference.
 */
export function lookupHash(indexKey: Uint8Array, myNumber: string): Uint8Array {
  if (!(indexKey instanceof Uint8Array) || indexKey.length !== 32)
    throw new TypeError('indexKey: 32 bytes expected');
  if (typeof myNumber !== 'string') throw new TypeError('myNumber: string expected');
  return new Uint8Array(
    createHmac('sha256', indexKey).update('vrs-sim/my-number/v1\0').update(myNumber).digest(),
  );
}

/**
 * The stored plaintext, compact (one million rows: bytes are time): a JSON array
 * `[1, myNumber, name, kana, romaji, birthDate, sex, address, passport | 0, [product#, lot, date, …]]`;
 * dose `seq` is the position. Decoded back into a `ResidentRecord` and checked against its schema.
 */
export function encodeRecord(r: ResidentRecord): Uint8Array {
  const doses: (number | string)[] = [];
  for (const d of r.doses) doses.push(PRODUCT_IDS.indexOf(d.product), d.lot, d.date);
  const passport = r.passport ? [r.passport.number, r.passport.nationality, r.passport.registeredAt] : 0;
  return encoder.encode(
    JSON.stringify([
      1,
      r.myNumber,
      r.name,
      r.nameKana,
      r.nameRomaji,
      r.birthDate,
      r.sex,
      r.address,
      passport,
      doses,
    ]),
  );
}

const Compact = z.tuple([
  z.literal(1),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.union([z.literal(0), z.tuple([z.string(), z.string(), z.string()])]),
  z.array(z.union([z.number().int(), z.string()])).max(21),
]);

export function decodeRecord(bytes: Uint8Array): ResidentRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
  const c = Compact.safeParse(raw);
  if (!c.success) return undefined;
  const [, myNumber, name, nameKana, nameRomaji, birthDate, sex, address, passport, flat] = c.data;
  const doses = [];
  for (let i = 0; i + 2 < flat.length; i += 3)
    doses.push({
      seq: i / 3 + 1,
      product: PRODUCT_IDS[flat[i] as number],
      lot: flat[i + 1],
      date: flat[i + 2],
    });
  const record = {
    v: 1,
    myNumber,
    name,
    nameKana,
    nameRomaji,
    birthDate,
    sex,
    address,
    doses,
    ...(passport === 0
      ? {}
      : { passport: { number: passport[0], nationality: passport[1], registeredAt: passport[2] } }),
  };
  const parsed = ResidentRecordSchema.safeParse(record);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Seals a record under the municipality's data key (secretbox = XSalsa20-Poly1305). The stored value is
 * `nonce (24) ‖ box`. Nonces are 24 random bytes (XSalsa20's extended nonce: random nonces under one key
 * do not collide in practice); every sealing makes a new one, never reused. `nonce` lets the seeder draw
 * many from one random fill.
 */
export function sealRecord(record: ResidentRecord, dataKey: Uint8Array, nonce?: Uint8Array): Uint8Array {
  if (!(dataKey instanceof Uint8Array) || dataKey.length !== nacl.secretbox.keyLength)
    throw new TypeError('dataKey: 32 bytes expected');
  const n = nonce ?? randomFillSync(new Uint8Array(NONCE));
  if (!(n instanceof Uint8Array) || n.length !== NONCE) throw new TypeError('nonce: 24 bytes expected');
  const plain = encodeRecord(record);
  const box = nacl.secretbox(plain, n, dataKey);
  plain.fill(0);
  const out = new Uint8Array(NONCE + box.length);
  out.set(n);
  out.set(box, NONCE);
  return out;
}

/**
 * Opens a sealed record; undefined when it does not authenticate under this key (another municipality's
 * key, a destroyed key replaced, altered bytes) or does not parse.
 */
export function openRecord(sealed: Uint8Array, dataKey: Uint8Array): ResidentRecord | undefined {
  if (!(sealed instanceof Uint8Array) || sealed.length < NONCE + nacl.secretbox.overheadLength)
    return undefined;
  const plain = nacl.secretbox.open(sealed.subarray(NONCE), sealed.subarray(0, NONCE), dataKey);
  if (plain === null) return undefined;
  try {
    return decodeRecord(plain);
  } finally {
    plain.fill(0);
  }
}
