import { existsSync, readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { z } from 'zod';
import { createCardCertificate, createCardFiles, type CardFiles } from '../../protocol/card-data.js';
import type { Resident } from './residents.js';

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const fromB64url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

/** `<stateDir>/card-ca.json`: the public half, a stable file the VRS stand-in reads to trust the card CA. */
export const CardCaPublicSchema = z.object({
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  alg: z.literal('Ed25519'),
});
export type CardCaPublic = z.infer<typeof CardCaPublicSchema>;
const CardCaSecretSchema = z.object({ seed: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

/**
 * The simulated card-issuing authority (J-LIS stand-in). Its Ed25519 key is generated on first run and kept
 * in the simulator's state folder: `card-ca.key.json` (seed, mode 0600) and `card-ca.json` (public key).
 * Each resident's card gets its own card-signing key, derived from the CA seed and the resident id, so cards
 * are stable across runs without storing more keys; the CA certifies it (EF 00 04).
 */
export class CardCa {
  readonly #keys: nacl.SignKeyPair;
  readonly #seed: Uint8Array;

  private constructor(seed: Uint8Array) {
    this.#seed = seed;
    this.#keys = nacl.sign.keyPair.fromSeed(seed);
  }

  static loadOrCreate(stateDir: string): CardCa {
    mkdirSync(stateDir, { recursive: true });
    const secretPath = join(stateDir, 'card-ca.key.json');
    let seed: Uint8Array;
    if (existsSync(secretPath)) {
      seed = fromB64url(CardCaSecretSchema.parse(JSON.parse(readFileSync(secretPath, 'utf8'))).seed);
    } else {
      seed = nacl.randomBytes(32);
      writeAtomic(secretPath, JSON.stringify({ seed: b64url(seed) }) + '\n', 0o600);
    }
    const ca = new CardCa(seed);
    const pub: CardCaPublic = ca.publicInfo();
    writeAtomic(join(stateDir, 'card-ca.json'), JSON.stringify(pub) + '\n', 0o644);
    return ca;
  }

  get publicKey(): Uint8Array {
    return this.#keys.publicKey;
  }

  publicInfo(): CardCaPublic {
    return { publicKey: b64url(this.#keys.publicKey), alg: 'Ed25519' };
  }

  /** The card files for a resident: EF 00 01–00 04, signed under this CA. */
  issue(resident: Resident): CardFiles {
    const label = new TextEncoder().encode(`card-key:${resident.id}`);
    const material = new Uint8Array(this.#seed.length + label.length);
    material.set(this.#seed);
    material.set(label, this.#seed.length);
    const digest = nacl.hash(material);
    const cardKey = nacl.sign.keyPair.fromSeed(digest.subarray(0, 32));
    const keyId = digest.subarray(32, 40);
    const certificateEf = createCardCertificate({
      caSecretKey: this.#keys.secretKey,
      cardPublicKey: cardKey.publicKey,
      keyId,
    });
    return createCardFiles(
      {
        myNumber: resident.myNumber,
        name: resident.name,
        address: resident.address,
        birthDate: resident.birthDate,
        sex: resident.sex,
      },
      { cardSecretKey: cardKey.secretKey, certificateEf },
    );
  }
}

/** Reads `<stateDir>/card-ca.json` (for the VRS stand-in and tests). */
export function readCardCaPublicKey(stateDir: string): Uint8Array {
  const info = CardCaPublicSchema.parse(JSON.parse(readFileSync(join(stateDir, 'card-ca.json'), 'utf8')));
  return fromB64url(info.publicKey);
}
