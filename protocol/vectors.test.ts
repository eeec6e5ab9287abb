import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { tweetnaclCrypto } from './index.js';
import { buildVectors } from './testing/vectors.js';

const committed: unknown = JSON.parse(
  readFileSync(new URL('./vectors/protocol-v1.json', import.meta.url), 'utf8'),
);

describe('committed protocol vectors', () => {
  it('are reproduced byte for byte by tweetnacl (the reference)', async () => {
    expect(await buildVectors(tweetnaclCrypto)).toEqual(committed);
  });

  it('are reproduced byte for byte by node:crypto (the fast provider)', async () => {
    expect(await buildVectors(nodeCrypto)).toEqual(committed);
  });
});

describe('node:crypto agrees with tweetnacl', () => {
  it('on Ed25519 keys and signatures, X25519 agreement and SHA-512', () => {
    for (let i = 0; i < 20; i++) {
      const seed = tweetnaclCrypto.randomBytes(32);
      const msg = tweetnaclCrypto.randomBytes(i * 7);
      const pk = tweetnaclCrypto.ed25519PublicKey(seed);
      expect(nodeCrypto.ed25519PublicKey(seed)).toEqual(pk);
      const sig = nodeCrypto.ed25519Sign(seed, msg);
      expect(sig).toEqual(tweetnaclCrypto.ed25519Sign(seed, msg));
      expect(tweetnaclCrypto.ed25519Verify(pk, msg, sig)).toBe(true);
      expect(nodeCrypto.ed25519Verify(pk, msg, sig)).toBe(true);
      const a = tweetnaclCrypto.randomBytes(32);
      const b = tweetnaclCrypto.randomBytes(32);
      const bPub = tweetnaclCrypto.x25519PublicKey(b);
      expect(nodeCrypto.x25519PublicKey(b)).toEqual(bPub);
      expect(nodeCrypto.x25519(a, bPub)).toEqual(tweetnaclCrypto.x25519(a, bPub));
      expect(nodeCrypto.sha512(msg)).toEqual(tweetnaclCrypto.sha512(msg));
    }
  });

  it('both refuse a low-order X25519 public key', () => {
    const zero = new Uint8Array(32);
    const sk = tweetnaclCrypto.randomBytes(32);
    expect(tweetnaclCrypto.x25519(sk, zero)).toBeUndefined();
    expect(nodeCrypto.x25519(sk, zero)).toBeUndefined();
  });
});
