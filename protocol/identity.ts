import { fromBase64Url, requireBytes, toBase64Url } from './bytes.js';
import { SEED_BYTES, type CryptoProvider } from './crypto.js';

/**
 * A long-term Ed25519 identity (kiosk, relay, VRS endpoint). Stored as its 32-byte seed; shown and
 * pinned as the base64url of its public key.
 */
export interface Identity {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function generateIdentity(crypto: CryptoProvider): Identity {
  return identityFromSeed(crypto.randomBytes(SEED_BYTES), crypto);
}

export function identityFromSeed(seed: Uint8Array, crypto: CryptoProvider): Identity {
  requireBytes(seed, SEED_BYTES, 'seed');
  return { seed, publicKey: crypto.ed25519PublicKey(seed) };
}

/** The kiosk id the relay and VRS use: base64url of the kiosk's public key (not personal data). */
export function keyId(publicKey: Uint8Array): string {
  requireBytes(publicKey, 32, 'publicKey');
  return toBase64Url(publicKey);
}

/** Parses a base64url 32-byte key; `undefined` if it is not one. */
export function parseKey(text: string): Uint8Array | undefined {
  if (typeof text !== 'string') throw new TypeError('text: string expected');
  const bytes = fromBase64Url(text);
  return bytes !== undefined && bytes.length === 32 ? bytes : undefined;
}
