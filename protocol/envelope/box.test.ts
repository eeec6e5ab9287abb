import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../common/crypto-node.js';
import { tweetnaclCrypto } from '../crypto.js';
import { boxBefore } from './box.js';

/**
 * `boxBefore` reaches into tweetnacl's undocumented `nacl.lowlevel.crypto_core_hsalsa20`: these tests fail if a
 * tweetnacl release drops or changes it.
 */
describe('boxBefore (relies on tweetnacl’s lowlevel HSalsa20)', () => {
  it('tweetnacl still exposes lowlevel.crypto_core_hsalsa20', () => {
    const lowlevel = (nacl as unknown as { lowlevel?: Record<string, unknown> }).lowlevel;
    expect(typeof lowlevel?.['crypto_core_hsalsa20']).toBe('function');
  });

  it('equals nacl.box.before for any key pair, on either provider’s X25519', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          const alice = nacl.box.keyPair.fromSecretKey(a);
          const bob = nacl.box.keyPair.fromSecretKey(b);
          const expected = nacl.box.before(bob.publicKey, alice.secretKey);
          for (const provider of [nodeCrypto, tweetnaclCrypto])
            expect(boxBefore(provider, bob.publicKey, alice.secretKey)).toEqual(expected);
        },
      ),
      { numRuns: 50 },
    );
  });
});
