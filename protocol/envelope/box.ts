import nacl from 'tweetnacl';
import { concatBytes, requireBytes, wipe } from '../bytes.js';
import { x25519KeyPair, type CryptoProvider } from '../crypto.js';

/**
 * Anonymous public-key sealing (nacl.box with a fresh sender key pair), byte-compatible with tweetnacl's
 * `nacl.box`: the X25519 agreement may come from `node:crypto`, the HSalsa20 key derivation and
 * XSalsa20-Poly1305 come from tweetnacl.
 *
 * Layout: `01 ‖ ephemeral public key (32) ‖ nonce (24) ‖ box`. The nonce is random (24 bytes: collisions
 * are negligible) and the ephemeral key is never reused, so each (key, nonce) pair is used once.
 */
export const SEALED_VERSION = 1;
const HEADER_BYTES = 1 + nacl.box.publicKeyLength + nacl.box.nonceLength;

const ZERO16 = new Uint8Array(16);
// "expand 32-byte k", the Salsa20 constant tweetnacl's box.before uses.
const SIGMA = new Uint8Array([101, 120, 112, 97, 110, 100, 32, 51, 50, 45, 98, 121, 116, 101, 32, 107]);

interface NaclLowLevel {
  crypto_core_hsalsa20(out: Uint8Array, inp: Uint8Array, k: Uint8Array, c: Uint8Array): number;
}

/** nacl.box.before on the provider's X25519: the shared secretbox key, or undefined for a low-order key. */
export function boxBefore(
  crypto: CryptoProvider,
  publicKey: Uint8Array,
  secretKey: Uint8Array,
): Uint8Array | undefined {
  const shared = crypto.x25519(secretKey, publicKey);
  if (shared === undefined) return undefined;
  const key = new Uint8Array(32);
  // tweetnacl's public API derives the box key only from its own X25519 (`nacl.box.before`); the provider's
  // X25519 (node:crypto, libsodium) needs the HSalsa20 step alone, which tweetnacl exposes only in `lowlevel`
  // (present since tweetnacl 0.x, undocumented). box.test.ts fails if it goes away or changes.
  (nacl as unknown as { lowlevel: NaclLowLevel }).lowlevel.crypto_core_hsalsa20(key, ZERO16, shared, SIGMA);
  wipe(shared);
  return key;
}

/** Seals `plaintext` so that only the holder of `recipientSecretKey` can open it. */
export function sealTo(
  crypto: CryptoProvider,
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  requireBytes(recipientPublicKey, nacl.box.publicKeyLength, 'recipientPublicKey');
  requireBytes(plaintext, undefined, 'plaintext');
  const eph = x25519KeyPair(crypto);
  const key = boxBefore(crypto, recipientPublicKey, eph.secretKey);
  wipe(eph.secretKey);
  if (key === undefined) throw new TypeError('recipientPublicKey: not a usable X25519 key');
  const nonce = crypto.randomBytes(nacl.box.nonceLength);
  const box = nacl.secretbox(plaintext, nonce, key);
  wipe(key);
  return concatBytes(Uint8Array.of(SEALED_VERSION), eph.publicKey, nonce, box);
}

export type UnsealResult =
  | { ok: true; plaintext: Uint8Array }
  | { ok: false; code: 'ENVELOPE_AUTH_FAILED' | 'PROTOCOL_UNSUPPORTED_VERSION' };

/** Opens what `sealTo` made for this secret key. */
export function openSealed(
  crypto: CryptoProvider,
  recipientSecretKey: Uint8Array,
  sealed: Uint8Array,
): UnsealResult {
  requireBytes(recipientSecretKey, nacl.box.secretKeyLength, 'recipientSecretKey');
  requireBytes(sealed, undefined, 'sealed');
  if (sealed.length > 0 && sealed[0] !== SEALED_VERSION)
    return { ok: false, code: 'PROTOCOL_UNSUPPORTED_VERSION' };
  if (sealed.length < HEADER_BYTES + nacl.secretbox.overheadLength)
    return { ok: false, code: 'ENVELOPE_AUTH_FAILED' };
  const key = boxBefore(crypto, sealed.subarray(1, 33), recipientSecretKey);
  if (key === undefined) return { ok: false, code: 'ENVELOPE_AUTH_FAILED' };
  const plaintext = nacl.secretbox.open(
    sealed.subarray(HEADER_BYTES),
    sealed.subarray(33, HEADER_BYTES),
    key,
  );
  wipe(key);
  return plaintext === null ? { ok: false, code: 'ENVELOPE_AUTH_FAILED' } : { ok: true, plaintext };
}
