import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityFromSeed, SEED_BYTES, type CryptoProvider, type Identity } from '../protocol/index.js';
import { RelayError } from './errors.js';

/** Parses a 32-byte seed given as base64 or base64url. */
export function parseSeed(text: string): Uint8Array {
  const clean = text.trim();
  const bytes = Buffer.from(clean, /[-_]/.test(clean) ? 'base64url' : 'base64');
  if (bytes.length !== SEED_BYTES) throw new TypeError('identitySeed: 32 bytes (base64) expected');
  return new Uint8Array(bytes);
}

/** The relay's identity: from the option, or `stateDir/identity.seed` (created 0600 on first start). */
export function loadIdentity(stateDir: string, seed: string | undefined, crypto: CryptoProvider): Identity {
  if (seed !== undefined) return identityFromSeed(parseSeed(seed), crypto);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, 'identity.seed');
  if (!existsSync(file)) {
    writeFileSync(file, Buffer.from(crypto.randomBytes(SEED_BYTES)).toString('base64') + '\n', {
      mode: 0o600,
      flag: 'wx',
    });
  }
  try {
    return identityFromSeed(parseSeed(readFileSync(file, 'utf8')), crypto);
  } catch (err) {
    throw new RelayError('RELAY_INTERNAL', `identity seed file is unreadable: ${file}`, { cause: err });
  }
}
