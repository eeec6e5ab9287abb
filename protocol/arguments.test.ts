import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import {
  acceptHello,
  createInitiator,
  decodeMessage,
  encodeMessage,
  fromBase64Url,
  generateIdentity,
  identityFromSeed,
  KioskToRelay,
  openSealed,
  sealTo,
  toBase64Url,
  tweetnaclCrypto,
  type CryptoProvider,
} from './index.js';

const id = generateIdentity(tweetnaclCrypto);
const key32 = new Uint8Array(32);
const wrong: unknown[] = [
  undefined,
  null,
  1,
  'text',
  [1, 2, 3],
  {},
  new Uint8Array(31),
  new Uint8Array(33),
  new ArrayBuffer(32),
];

/** A bad caller throws, naming the argument (docs/conventions.md §8). */
describe('wrong argument types throw at the public API', () => {
  const providers: CryptoProvider[] = [tweetnaclCrypto, nodeCrypto];
  for (const c of providers) {
    describe(c.name, () => {
      it.each(wrong)('ed25519PublicKey(%s)', (v) =>
        expect(() => c.ed25519PublicKey(v as unknown as Uint8Array)).toThrow(TypeError),
      );
      it.each(wrong)('ed25519Sign(%s, msg)', (v) =>
        expect(() => c.ed25519Sign(v as unknown as Uint8Array, key32)).toThrow(TypeError),
      );
      it.each(wrong)('ed25519Verify(%s, msg, sig)', (v) =>
        expect(() => c.ed25519Verify(v as unknown as Uint8Array, key32, new Uint8Array(64))).toThrow(
          TypeError,
        ),
      );
      it.each(wrong)('x25519(%s, pk)', (v) =>
        expect(() => c.x25519(v as unknown as Uint8Array, key32)).toThrow(TypeError),
      );
      it.each(wrong)('x25519(sk, %s)', (v) =>
        expect(() => c.x25519(key32, v as unknown as Uint8Array)).toThrow(TypeError),
      );
      it.each([-1, 1.5, 'x'])('randomBytes(%s)', (v) =>
        expect(() => c.randomBytes(v as unknown as number)).toThrow(TypeError),
      );
    });
  }
  it.each(wrong)('identityFromSeed(%s)', (v) =>
    expect(() => identityFromSeed(v as unknown as Uint8Array, tweetnaclCrypto)).toThrow(TypeError),
  );
  it.each(wrong)('createInitiator peerPublicKey %s', (v) =>
    expect(() =>
      createInitiator({ identity: id, peerPublicKey: v as unknown as Uint8Array, crypto: tweetnaclCrypto }),
    ).toThrow(TypeError),
  );
  it.each([undefined, null, 1, {}])('createInitiator identity %s', (v) =>
    expect(() =>
      createInitiator({ identity: v as never, peerPublicKey: key32, crypto: tweetnaclCrypto }),
    ).toThrow(TypeError),
  );
  it.each([undefined, null, 1, {}])('acceptHello(%s)', async (v) =>
    expect(
      acceptHello(v as string, { identity: id, crypto: tweetnaclCrypto, isKnownPeer: () => true }),
    ).rejects.toThrow(TypeError),
  );
  it('acceptHello without isKnownPeer', async () =>
    expect(acceptHello('AA', { identity: id, crypto: tweetnaclCrypto } as never)).rejects.toThrow(TypeError));
  it.each(wrong)('sealTo recipient %s', (v) =>
    expect(() => sealTo(nodeCrypto, v as unknown as Uint8Array, key32)).toThrow(TypeError),
  );
  it.each(wrong)('openSealed secret key %s', (v) =>
    expect(() => openSealed(nodeCrypto, v as unknown as Uint8Array, key32)).toThrow(TypeError),
  );
  it.each([undefined, null, 1, 'x', {}])('encodeMessage(%s)', (v) =>
    expect(() => encodeMessage(v as never)).toThrow(TypeError),
  );
  it.each([undefined, null, 'x', [1]])('decodeMessage(%s)', (v) =>
    expect(() => decodeMessage(v as unknown as Uint8Array, KioskToRelay)).toThrow(TypeError),
  );
  it.each([undefined, null, 1, 'x'])('toBase64Url(%s)', (v) =>
    expect(() => toBase64Url(v as unknown as Uint8Array)).toThrow(TypeError),
  );
  it.each([undefined, null, 1])('fromBase64Url(%s)', (v) =>
    expect(() => fromBase64Url(v as unknown as string)).toThrow(TypeError),
  );
});

describe('base64url', () => {
  it('round-trips and rejects non-canonical text', () => {
    for (let n = 0; n < 40; n++) {
      const b = tweetnaclCrypto.randomBytes(n);
      expect(fromBase64Url(toBase64Url(b))).toEqual(b);
    }
    expect(fromBase64Url('A')).toBeUndefined();
    expect(fromBase64Url('AB==')).toBeUndefined();
    expect(fromBase64Url('AB')).toBeUndefined(); // non-zero trailing bits
    expect(fromBase64Url('a+b/')).toBeUndefined();
  });
});
