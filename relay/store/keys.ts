/** Kiosk ids are the base64url (no padding) encoding of the kiosk's 32-byte Ed25519 public key. */
const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

export function isKioskId(value: unknown): value is string {
  if (typeof value !== 'string' || !B64URL_32.test(value)) return false;
  // The last character carries 2 padding bits that must be zero for a canonical encoding.
  return Buffer.from(value, 'base64url').toString('base64url') === value;
}

export function kioskIdFromPublicKey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new TypeError('publicKey: 32-byte Uint8Array expected');
  }
  return Buffer.from(publicKey).toString('base64url');
}
