import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { coded } from '../../protocol/errors/index.js';
import { join } from 'node:path';
import { identityFromSeed, SEED_BYTES, type CryptoProvider, type Identity } from '../../protocol/index.js';

/**
 * The kiosk's Ed25519 identity: `<dir>/identity.seed` (32 bytes, base64, created 0600 on first start).
 * Its public key is what the relay enrolls; the seed never leaves the main process.
 */
export function loadKioskIdentity(dir: string, crypto: CryptoProvider): Identity {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'identity.seed');
  if (!existsSync(file)) {
    writeFileSync(file, Buffer.from(crypto.randomBytes(SEED_BYTES)).toString('base64') + '\n', {
      mode: 0o600,
      flag: 'wx',
    });
  }
  const seed = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (seed.length !== SEED_BYTES)
    throw coded('KIOSK_INTERNAL', `kiosk identity seed is not ${SEED_BYTES} bytes: ${file}`);
  return identityFromSeed(new Uint8Array(seed), crypto);
}
