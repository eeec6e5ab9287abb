import { createHash } from 'node:crypto';
import { sodiumCrypto } from '../../../common/crypto-sodium.js';
import { identityFromSeed, type Identity } from '../../../protocol/index.js';

/** The benchmark fleet: kiosk `i`'s identity is derived from a base string, so processes agree without sharing keys. */
export function fleetIdentity(base: string, i: number): Identity {
  const seed = new Uint8Array(createHash('sha256').update(`${base}:${i}`).digest());
  return identityFromSeed(seed, sodiumCrypto);
}
