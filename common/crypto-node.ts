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
 * The protocol's `CryptoProvider` on `node:crypto` (OpenSSL): the same bytes as tweetnacl, about a
 * hundred times faster for Ed25519 and X25519 — the relay's handshake path depends on it (a reconnect
 * storm of 57,000 kiosks). The committed vectors in `protocol/vectors/` prove both providers agree.
 */
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

const der = (prefix: Buffer, key: Uint8Array) => Buffer.concat([prefix, key]);
const privateKey = (prefix: Buffer, key: Uint8Array): KeyObject =>
  createPrivateKey({ key: der(prefix, key), format: 'der', type: 'pkcs8' });
const publicKey = (prefix: Buffer, key: Uint8Array): KeyObject =>
  createPublicKey({ key: der(prefix, key), format: 'der', type: 'spki' });
const rawPublic = (key: KeyObject): Uint8Array =>
  new Uint8Array(key.export({ format: 'der', type: 'spki' }).subarray(-32));

/** Long-lived identity keys are parsed once; the cache is bounded (a relay has one, a VRS a few). */
const signingKeys = new Map<string, KeyObject>();
function signingKey(seed: Uint8Array): KeyObject {
  const id = Buffer.from(seed).toString('base64');
  let key = signingKeys.get(id);
  if (key === undefined) {
    key = privateKey(ED25519_PKCS8, seed);
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
    return rawPublic(createPublicKey(privateKey(ED25519_PKCS8, seed)));
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
      return verify(null, message, publicKey(ED25519_SPKI, pub), signature);
    } catch {
      return false; // not a valid curve point
    }
  },
  x25519PublicKey(secretKey) {
    requireBytes(secretKey, 32, 'secretKey');
    return rawPublic(createPublicKey(privateKey(X25519_PKCS8, secretKey)));
  },
  x25519(secretKey, pub) {
    requireBytes(secretKey, 32, 'secretKey');
    requireBytes(pub, 32, 'publicKey');
    try {
      const shared = diffieHellman({
        privateKey: privateKey(X25519_PKCS8, secretKey),
        publicKey: publicKey(X25519_SPKI, pub),
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
