import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tweetnaclCrypto, x25519KeyPair } from '../protocol/index.js';
import { buildVectors } from '../protocol/testing/vectors.js';
import { relayCrypto } from './handshake-crypto.js';

const committed: unknown = JSON.parse(
  readFileSync(new URL('../protocol/vectors/protocol-v1.json', import.meta.url), 'utf8'),
);
const ref = tweetnaclCrypto;

describe('relayCrypto (node:crypto with fewer key imports)', () => {
  it('reproduces the committed protocol vectors byte for byte', async () => {
    expect(await buildVectors(relayCrypto())).toEqual(committed);
  });

  it('agrees with tweetnacl, also when its public-key cache is cleared between uses', () => {
    for (const limit of [1, 2048]) {
      const c = relayCrypto(limit);
      const seeds = Array.from({ length: 6 }, () => ref.randomBytes(32));
      for (let round = 0; round < 3; round++) {
        for (const [i, seed] of seeds.entries()) {
          const msg = ref.randomBytes(i * 11 + round);
          const pk = ref.ed25519PublicKey(seed);
          const sig = ref.ed25519Sign(seed, msg);
          expect(c.ed25519Verify(pk, msg, sig)).toBe(true);
          const bad = sig.slice();
          bad[i] = (bad[i] as number) ^ 1;
          expect(c.ed25519Verify(pk, msg, bad)).toBe(false);
          expect(c.ed25519Sign(seed, msg)).toEqual(sig);
          const mine = x25519KeyPair(c);
          expect(mine.publicKey).toEqual(ref.x25519PublicKey(mine.secretKey));
          const peer = x25519KeyPair(ref);
          expect(c.x25519(mine.secretKey, peer.publicKey)).toEqual(
            ref.x25519(peer.secretKey, mine.publicKey),
          );
          // Used again (no kept key any more): imported afresh, same answer.
          expect(c.x25519(mine.secretKey, peer.publicKey)).toEqual(
            ref.x25519(peer.secretKey, mine.publicKey),
          );
        }
      }
    }
  });

  it('never uses a kept X25519 key for bytes that changed after the public key was derived', () => {
    const c = relayCrypto();
    const sk = ref.randomBytes(32);
    c.x25519PublicKey(sk);
    sk[0] = (sk[0] as number) ^ 0x55; // the caller reused the array for another secret
    const peer = x25519KeyPair(ref);
    expect(c.x25519(sk, peer.publicKey)).toEqual(ref.x25519(peer.secretKey, ref.x25519PublicKey(sk)));
  });

  it('refuses a low-order X25519 key and a public key that is not a curve point', () => {
    const c = relayCrypto();
    const kp = x25519KeyPair(c);
    expect(c.x25519(kp.secretKey, new Uint8Array(32))).toBeUndefined();
    const notAPoint = new Uint8Array(32).fill(0xff);
    expect(c.ed25519Verify(notAPoint, new Uint8Array(1), new Uint8Array(64))).toBe(false);
  });

  it('throws on wrong argument types and sizes, naming the argument', () => {
    const c = relayCrypto();
    expect(() => relayCrypto(0)).toThrow(/maxCachedPublicKeys/);
    expect(() => c.x25519PublicKey(new Uint8Array(31))).toThrow(/secretKey/);
    expect(() => c.x25519(new Uint8Array(32), 'x' as unknown as Uint8Array)).toThrow(/publicKey/);
    expect(() => c.ed25519Verify(new Uint8Array(32), new Uint8Array(1), new Uint8Array(63))).toThrow(
      /signature/,
    );
  });
});
