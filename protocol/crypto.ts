import nacl from 'tweetnacl';
import { requireBytes } from './bytes.js';

/**
 * The primitives the protocol needs, behind one interface so that the same bytes can come from tweetnacl
 * (the reference; runs anywhere, including the browser), from `node:crypto` (OpenSSL, about a hundred
 * times faster for Ed25519 and X25519; `common/crypto-node.ts`) or from libsodium (`common/crypto-sodium.ts`:
 * faster still, and the only fast XSalsa20-Poly1305 — OpenSSL has no Salsa20). Symmetric sealing uses
 * the provider's `secretbox` when it has one, else tweetnacl. The committed vectors prove they all agree.
 */
export interface CryptoProvider {
  readonly name: string;
  randomBytes(length: number): Uint8Array;
  /** Ed25519 public key (32 bytes) of a 32-byte seed. */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /** Ed25519 signature (64 bytes) of `message` by the key with this 32-byte seed. */
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** X25519 public key of a 32-byte secret key. */
  x25519PublicKey(secretKey: Uint8Array): Uint8Array;
  /** X25519 shared secret; `undefined` when the result is all zeros (a low-order peer key). */
  x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined;
  sha512(data: Uint8Array): Uint8Array;
  /**
   * XSalsa20-Poly1305 (`nacl.secretbox`): key 32 bytes, nonce 24, output = 16-byte MAC ‖ ciphertext.
   * Optional; without it the channel seals with tweetnacl.
   */
  secretbox?(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array;
  /** Opens a `secretbox`; `undefined` when it does not authenticate. Optional, as `secretbox`. */
  secretboxOpen?(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | undefined;
}

export const SEED_BYTES = nacl.sign.seedLength; // 32
export const SIGNATURE_BYTES = nacl.sign.signatureLength; // 64
export const PUBLIC_KEY_BYTES = nacl.sign.publicKeyLength; // 32
export const X25519_BYTES = nacl.scalarMult.scalarLength; // 32

function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}

/**
 * The reference provider, on tweetnacl.
 *
 * @example
 * const seed = tweetnaclCrypto.randomBytes(32);
 * const sig = tweetnaclCrypto.ed25519Sign(seed, message);
 * tweetnaclCrypto.ed25519Verify(tweetnaclCrypto.ed25519PublicKey(seed), message, sig); // true
 */
export const tweetnaclCrypto: CryptoProvider = {
  name: 'tweetnacl',
  randomBytes(length) {
    if (!Number.isInteger(length) || length < 0) throw new TypeError('length: non-negative integer expected');
    return nacl.randomBytes(length);
  },
  ed25519PublicKey(seed) {
    requireBytes(seed, SEED_BYTES, 'seed');
    return nacl.sign.keyPair.fromSeed(seed).publicKey;
  },
  ed25519Sign(seed, message) {
    requireBytes(seed, SEED_BYTES, 'seed');
    requireBytes(message, undefined, 'message');
    const kp = nacl.sign.keyPair.fromSeed(seed);
    const sig = nacl.sign.detached(message, kp.secretKey);
    kp.secretKey.fill(0);
    return sig;
  },
  ed25519Verify(publicKey, message, signature) {
    requireBytes(publicKey, PUBLIC_KEY_BYTES, 'publicKey');
    requireBytes(message, undefined, 'message');
    requireBytes(signature, SIGNATURE_BYTES, 'signature');
    return nacl.sign.detached.verify(message, signature, publicKey);
  },
  x25519PublicKey(secretKey) {
    requireBytes(secretKey, X25519_BYTES, 'secretKey');
    return nacl.scalarMult.base(secretKey);
  },
  x25519(secretKey, publicKey) {
    requireBytes(secretKey, X25519_BYTES, 'secretKey');
    requireBytes(publicKey, X25519_BYTES, 'publicKey');
    const shared = nacl.scalarMult(secretKey, publicKey);
    return isAllZero(shared) ? undefined : shared;
  },
  sha512(data) {
    requireBytes(data, undefined, 'data');
    return nacl.hash(data);
  },
};

/** A fresh X25519 key pair from the provider's randomness. */
export function x25519KeyPair(crypto: CryptoProvider): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const secretKey = crypto.randomBytes(X25519_BYTES);
  return { publicKey: crypto.x25519PublicKey(secretKey), secretKey };
}
