import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/**
 * SHA-256 (FIPS 180-4), synchronous and runnable anywhere (browser, Node, Electron renderer) without
 * `node:crypto` or the asynchronous WebCrypto API: `@noble/hashes`, an audited, dependency-free library.
 *
 * @example
 * sha256(new TextEncoder().encode('abc')); // ba7816bf…f20015ad
 */
export function sha256(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('data: a Uint8Array is required');
  return nobleSha256(data);
}
