import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  fromBase64Url,
  identityFromSeed,
  toBase64Url,
  type CryptoProvider,
  type Identity,
} from '../protocol/index.js';

/** VRS's own keys: its channel identity (Ed25519 seed) and its envelope key (X25519). */
export interface VrsKeys {
  identity: Identity;
  boxPublicKey: Uint8Array;
  boxSecretKey: Uint8Array;
}

const KeyFile = z.object({
  v: z.literal(1),
  identitySeed: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  boxSecretKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

/** Loads `<stateDir>/vrs-keys.json` (0600), making it on first start. */
export function loadVrsKeys(stateDir: string, crypto: CryptoProvider): VrsKeys {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, 'vrs-keys.json');
  if (!existsSync(file)) {
    const body = {
      v: 1,
      identitySeed: toBase64Url(crypto.randomBytes(32)),
      boxSecretKey: toBase64Url(crypto.randomBytes(32)),
    };
    writeFileSync(file, JSON.stringify(body) + '\n', { mode: 0o600, flag: 'wx' });
  }
  const parsed = KeyFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const seed = fromBase64Url(parsed.identitySeed);
  const boxSecretKey = fromBase64Url(parsed.boxSecretKey);
  if (seed === undefined || boxSecretKey === undefined) throw new Error('vrs-keys.json: malformed keys');
  return {
    identity: identityFromSeed(seed, crypto),
    boxSecretKey,
    boxPublicKey: crypto.x25519PublicKey(boxSecretKey),
  };
}

/** A 32-byte public key given as base64url text or bytes; throws naming the option otherwise. */
export function toKey(value: string | Uint8Array, name: string): Uint8Array {
  const bytes = typeof value === 'string' ? fromBase64Url(value.trim()) : value;
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32)
    throw new TypeError(`${name}: 32-byte key (base64url) expected`);
  return bytes;
}
