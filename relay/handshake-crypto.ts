import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import { nodeCrypto } from '../common/crypto-node.js';
import { requireBytes, type CryptoProvider } from '../protocol/index.js';

/**
 * The relay's `CryptoProvider`: `nodeCrypto` with fewer key imports on the handshake path, the same bytes.
 *
 * Profiling a reconnect storm showed OpenSSL key imports (`createPrivateKey`/`createPublicKey` from JWK)
 * at about 8 % of the relay's CPU: each handshake imported its ephemeral X25519 secret twice (to derive
 * the public key, then again for the agreement) and the kiosk's Ed25519 key twice (hello, then the
 * finished signature). Here:
 * - the X25519 secret is imported once: `x25519PublicKey` keeps the `KeyObject` for that very array
 *   (a `WeakMap`, with a copy of the bytes checked at use, so a changed or wiped array is re-imported)
 *   and `x25519` takes it once;
 * - Ed25519 public keys are kept in a small bounded map (a kiosk's key is verified twice per handshake:
 *   hello, then finished). Public keys only; cleared when full, so memory stays bounded (~1 KB each).
 *
 * @example
 * const crypto = relayCrypto();
 * await acceptHello(hello, { identity, crypto, isKnownPeer });
 */
export function relayCrypto(maxCachedPublicKeys = 2048): CryptoProvider {
  if (!Number.isInteger(maxCachedPublicKeys) || maxCachedPublicKeys < 1)
    throw new TypeError('maxCachedPublicKeys: positive integer expected');
  const b64 = (bytes: Uint8Array) =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  const X_PLACEHOLDER = 'A'.repeat(43); // see common/crypto-node.ts: the JWK import derives x from d

  const ephemeral = new WeakMap<Uint8Array, { bytes: Buffer; key: KeyObject }>();
  const takeX25519Private = (secretKey: Uint8Array): KeyObject => {
    const kept = ephemeral.get(secretKey);
    if (kept !== undefined) {
      ephemeral.delete(secretKey);
      const same = timingSafeEqual(kept.bytes, secretKey);
      kept.bytes.fill(0);
      if (same) return kept.key;
    }
    return importX25519Private(secretKey);
  };
  const importX25519Private = (secretKey: Uint8Array): KeyObject =>
    createPrivateKey({
      key: { kty: 'OKP', crv: 'X25519', d: b64(secretKey), x: X_PLACEHOLDER },
      format: 'jwk',
    });

  const edKeys = new Map<string, KeyObject>();
  const edPublic = (pub: Uint8Array): KeyObject => {
    const id = b64(pub);
    let key = edKeys.get(id);
    if (key === undefined) {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: id }, format: 'jwk' });
      if (edKeys.size >= maxCachedPublicKeys) edKeys.clear();
      edKeys.set(id, key);
    }
    return key;
  };

  return {
    name: 'node:crypto (relay)',
    randomBytes: (length) => nodeCrypto.randomBytes(length),
    ed25519PublicKey: (seed) => nodeCrypto.ed25519PublicKey(seed),
    ed25519Sign: (seed, message) => nodeCrypto.ed25519Sign(seed, message),
    ed25519Verify(pub, message, signature) {
      requireBytes(pub, 32, 'publicKey');
      requireBytes(message, undefined, 'message');
      requireBytes(signature, 64, 'signature');
      try {
        return verify(null, message, edPublic(pub), signature);
      } catch {
        return false; // not a valid curve point
      }
    },
    x25519PublicKey(secretKey) {
      requireBytes(secretKey, 32, 'secretKey');
      const key = importX25519Private(secretKey);
      ephemeral.set(secretKey, { bytes: Buffer.from(secretKey), key });
      const x = createPublicKey(key).export({ format: 'jwk' }).x ?? '';
      return new Uint8Array(Buffer.from(x, 'base64url'));
    },
    x25519(secretKey, pub) {
      requireBytes(secretKey, 32, 'secretKey');
      requireBytes(pub, 32, 'publicKey');
      try {
        const shared = diffieHellman({
          privateKey: takeX25519Private(secretKey),
          publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(pub) }, format: 'jwk' }),
        });
        return shared.every((b) => b === 0) ? undefined : new Uint8Array(shared);
      } catch {
        return undefined; // OpenSSL refuses low-order points with an all-zero result
      }
    },
    sha512: (data) => nodeCrypto.sha512(data),
  };
}
