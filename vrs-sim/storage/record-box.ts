import { createHmac, randomFillSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { ResidentRecordSchema, type ResidentRecord } from '../record.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

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
 * A fresh nonce for one row. Nonces are 24 random bytes (XSalsa20's extended nonce, so random nonces
 * under one key do not collide in practice); every sealing makes a new one, a nonce is never reused.
 */
export function freshNonce(): Uint8Array {
  return randomFillSync(new Uint8Array(nacl.secretbox.nonceLength));
}

/** Seals a record under the municipality's data key (secretbox = XSalsa20-Poly1305). */
export function sealRecord(
  record: ResidentRecord,
  dataKey: Uint8Array,
  nonce: Uint8Array = freshNonce(),
): { nonce: Uint8Array; sealed: Uint8Array } {
  if (!(dataKey instanceof Uint8Array) || dataKey.length !== nacl.secretbox.keyLength)
    throw new TypeError('dataKey: 32 bytes expected');
  if (!(nonce instanceof Uint8Array) || nonce.length !== nacl.secretbox.nonceLength)
    throw new TypeError('nonce: 24 bytes expected');
  return { nonce, sealed: nacl.secretbox(encoder.encode(JSON.stringify(record)), nonce, dataKey) };
}

/**
 * Opens a sealed record; undefined when it does not authenticate under this key (another municipality's
 * key, a shredded key replaced, altered bytes) or does not parse.
 */
export function openRecord(
  nonce: Uint8Array,
  sealed: Uint8Array,
  dataKey: Uint8Array,
): ResidentRecord | undefined {
  const plain = nacl.secretbox.open(sealed, nonce, dataKey);
  if (plain === null) return undefined;
  try {
    const parsed = ResidentRecordSchema.safeParse(JSON.parse(decoder.decode(plain)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  } finally {
    plain.fill(0);
  }
}
