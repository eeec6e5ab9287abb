import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { sodiumCrypto } from '../common/crypto-sodium.js';
import nacl from 'tweetnacl';
import { ChannelSession, tweetnaclCrypto, type CryptoProvider } from './index.js';
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

  it('are reproduced byte for byte by libsodium (the relay provider, its secretbox included)', async () => {
    expect(await buildVectors(sodiumCrypto)).toEqual(committed);
  });
});

describe.each<[string, CryptoProvider]>([
  ['node:crypto', nodeCrypto],
  ['libsodium', sodiumCrypto],
])('%s agrees with tweetnacl', (_name, fast) => {
  it('on Ed25519 keys and signatures, X25519 agreement and SHA-512', () => {
    for (let i = 0; i < 20; i++) {
      const seed = tweetnaclCrypto.randomBytes(32);
      const msg = tweetnaclCrypto.randomBytes(i * 7);
      const pk = tweetnaclCrypto.ed25519PublicKey(seed);
      expect(fast.ed25519PublicKey(seed)).toEqual(pk);
      const sig = fast.ed25519Sign(seed, msg);
      expect(sig).toEqual(tweetnaclCrypto.ed25519Sign(seed, msg));
      expect(tweetnaclCrypto.ed25519Verify(pk, msg, sig)).toBe(true);
      expect(fast.ed25519Verify(pk, msg, sig)).toBe(true);
      const a = tweetnaclCrypto.randomBytes(32);
      const b = tweetnaclCrypto.randomBytes(32);
      const bPub = tweetnaclCrypto.x25519PublicKey(b);
      expect(fast.x25519PublicKey(b)).toEqual(bPub);
      expect(fast.x25519(a, bPub)).toEqual(tweetnaclCrypto.x25519(a, bPub));
      expect(fast.sha512(msg)).toEqual(tweetnaclCrypto.sha512(msg));
    }
  });

  it('both refuse a low-order X25519 public key', () => {
    const zero = new Uint8Array(32);
    const sk = tweetnaclCrypto.randomBytes(32);
    expect(tweetnaclCrypto.x25519(sk, zero)).toBeUndefined();
    expect(fast.x25519(sk, zero)).toBeUndefined();
  });

  it('refuses a signature with any bit flipped', () => {
    const seed = tweetnaclCrypto.randomBytes(32);
    const msg = tweetnaclCrypto.randomBytes(40);
    const pk = tweetnaclCrypto.ed25519PublicKey(seed);
    const sig = tweetnaclCrypto.ed25519Sign(seed, msg);
    for (let bit = 0; bit < 512; bit += 37) {
      const bad = sig.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(fast.ed25519Verify(pk, msg, bad)).toBe(false);
    }
  });
});

describe('libsodium secretbox', () => {
  it('is nacl.secretbox byte for byte, both ways, and refuses any altered byte', () => {
    for (const len of [0, 1, 15, 16, 63, 64, 1200, 70_000]) {
      const key = tweetnaclCrypto.randomBytes(32);
      const nonce = tweetnaclCrypto.randomBytes(24);
      const msg = tweetnaclCrypto.randomBytes(len);
      const box = sodiumCrypto.secretbox!(msg, nonce, key);
      expect(box).toEqual(nacl.secretbox(msg, nonce, key));
      expect(sodiumCrypto.secretboxOpen!(nacl.secretbox(msg, nonce, key), nonce, key)).toEqual(msg);
      const bad = box.slice();
      bad[len % box.length]! ^= 0x80;
      expect(sodiumCrypto.secretboxOpen!(bad, nonce, key)).toBeUndefined();
      expect(sodiumCrypto.secretboxOpen!(box.subarray(0, 15), nonce, key)).toBeUndefined();
    }
  });

  it('seals channel frames a tweetnacl session opens, and the other way round', () => {
    const k1 = tweetnaclCrypto.randomBytes(32);
    const k2 = tweetnaclCrypto.randomBytes(32);
    const pk = new Uint8Array(32);
    const a = new ChannelSession({
      peerPublicKey: pk,
      sendKey: k1.slice(),
      recvKey: k2.slice(),
      isInitiator: true,
      crypto: sodiumCrypto,
    });
    const b = new ChannelSession({
      peerPublicKey: pk,
      sendKey: k2.slice(),
      recvKey: k1.slice(),
      isInitiator: false,
    });
    for (let i = 0; i < 5; i++) {
      const m = tweetnaclCrypto.randomBytes(i * 100);
      expect(b.open(a.seal(m))).toEqual({ ok: true, plaintext: m });
      expect(a.open(b.seal(m))).toEqual({ ok: true, plaintext: m });
    }
  });
});
