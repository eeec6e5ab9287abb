import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { requireBytes, type CryptoProvider } from '../protocol/index.js';

/**
 * The protocol's `CryptoProvider` on `node:crypto` (OpenSSL): the same bytes as tweetnacl, many times
 * faster for Ed25519 and X25519 — the relay's handshake path depends on it (a reconnect storm of 57,000
 * kiosks). The committed vectors in `protocol/vectors/` prove both providers agree.
 */
// Per-call keys are imported as JWK: OpenSSL 3 parses DER through its slow decoder framework (about
// 3,300 X25519 private keys a second here), while JWK import takes the raw bytes directly (about 30,000).
const b64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

/**
 * An X25519 private key from its raw 32 bytes. Node's JWK import requires an `x` member but derives the
 * public key from `d` (OpenSSL's raw private-key import); the placeholder is never used, and the vectors
 * (checked against tweetnacl) would catch any change in that behaviour.
 */
const X_PLACEHOLDER = 'A'.repeat(43);
const x25519Private = (secretKey: Uint8Array): KeyObject =>
  createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: b64(secretKey), x: X_PLACEHOLDER },
    format: 'jwk',
  });
const okpPublic = (crv: 'X25519' | 'Ed25519', key: Uint8Array): KeyObject =>
  createPublicKey({ key: { kty: 'OKP', crv, x: b64(key) }, format: 'jwk' });
const rawPublic = (key: KeyObject): Uint8Array =>
  new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url'));

/** Signing keys are parsed once while in use; the cache is bounded (a relay has one key, a load generator thousands). */
const signingKeys = new Map<string, KeyObject>();
function signingKey(seed: Uint8Array): KeyObject {
  const id = b64(seed);
  let key = signingKeys.get(id);
  if (key === undefined) {
    // As with X25519, the JWK import derives the public key from `d` (checked by the vectors: a wrong
    // derived key would change every signature).
    key = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', d: b64(seed), x: X_PLACEHOLDER },
      format: 'jwk',
    });
    if (signingKeys.size >= 64) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

export const nodeCrypto: CryptoProvider = {
  name: 'node:crypto',
  randomBytes(length) {
    if (!Number.isInteger(length) || length < 0) throw new TypeError('length: non-negative integer expected');
    return new Uint8Array(randomBytes(length));
  },
  ed25519PublicKey(seed) {
    requireBytes(seed, 32, 'seed');
    return rawPublic(createPublicKey(signingKey(seed)));
  },
  ed25519Sign(seed, message) {
    requireBytes(seed, 32, 'seed');
    requireBytes(message, undefined, 'message');
    return new Uint8Array(sign(null, message, signingKey(seed)));
  },
  ed25519Verify(pub, message, signature) {
    requireBytes(pub, 32, 'publicKey');
    requireBytes(message, undefined, 'message');
    requireBytes(signature, 64, 'signature');
    try {
      return verify(null, message, okpPublic('Ed25519', pub), signature);
    } catch {
      return false; // not a valid curve point
    }
  },
  x25519PublicKey(secretKey) {
    requireBytes(secretKey, 32, 'secretKey');
    return rawPublic(createPublicKey(x25519Private(secretKey)));
  },
  x25519(secretKey, pub) {
    requireBytes(secretKey, 32, 'secretKey');
    requireBytes(pub, 32, 'publicKey');
    try {
      const shared = diffieHellman({
        privateKey: x25519Private(secretKey),
        publicKey: okpPublic('X25519', pub),
      });
      return shared.every((b) => b === 0) ? undefined : new Uint8Array(shared);
    } catch {
      return undefined; // OpenSSL refuses low-order points with an all-zero result
    }
  },
  sha512(data) {
    requireBytes(data, undefined, 'data');
    return new Uint8Array(createHash('sha512').update(data).digest());
  },
};
