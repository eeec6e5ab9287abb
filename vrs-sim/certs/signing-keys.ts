import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ecThumbprint, type PublicEcJwk } from './jwk.js';

const StoredKey = z.object({
  kid: z.string().min(43).max(43),
  x: z.string(),
  y: z.string(),
  /** Private scalar; removed when the key is retired (old keys stay published, never sign again). */
  d: z.string().optional(),
  createdAt: z.string(),
  retiredAt: z.string().optional(),
});
const KeyFile = z.object({ v: z.literal(1), active: z.string(), keys: z.array(StoredKey).min(1) });
type KeyFile = z.infer<typeof KeyFile>;

/** The active SHC signing key. */
export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

function newKey(): z.infer<typeof StoredKey> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.y === undefined || jwk.d === undefined)
    throw new Error('EC key export failed');
  return {
    kid: ecThumbprint({ crv: 'P-256', x: jwk.x, y: jwk.y }),
    x: jwk.x,
    y: jwk.y,
    d: jwk.d,
    createdAt: new Date().toISOString(),
  };
}

/**
 * The SMART Health Card issuer keys (ES256, P-256) in `<dir>/shc-keys.json` (0600). One key is active
 * and signs; `rotate()` makes a new active key and retires the old one: its private part is erased, its
 * public part stays in the JWKS so cards it signed still verify.
 */
export class SigningKeys {
  readonly #file: string;
  #data: KeyFile;
  #active: ActiveSigningKey | undefined;
  #mtimeMs = 0;

  constructor(dir: string) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError('dir: folder path expected');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#file = join(dir, 'shc-keys.json');
    if (existsSync(this.#file)) {
      this.#data = this.#load();
    } else {
      const k = newKey();
      this.#data = { v: 1, active: k.kid, keys: [k] };
      this.#save();
    }
  }

  #load(): KeyFile {
    this.#mtimeMs = statSync(this.#file).mtimeMs;
    return KeyFile.parse(JSON.parse(readFileSync(this.#file, 'utf8')));
  }

  #save(): void {
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#data, null, 1) + '\n', { mode: 0o600 });
    renameSync(tmp, this.#file);
    this.#mtimeMs = statSync(this.#file).mtimeMs;
  }

  /** Picks up a rotation made by another process (the `rotate` command) while a server runs. */
  #refresh(): void {
    if (statSync(this.#file).mtimeMs !== this.#mtimeMs) this.#data = this.#load();
  }

  get activeKid(): string {
    this.#refresh();
    return this.#data.active;
  }

  /** The key that signs now. */
  active(): ActiveSigningKey {
    this.#refresh();
    if (this.#active?.kid === this.#data.active) return this.#active;
    const k = this.#data.keys.find((x) => x.kid === this.#data.active);
    if (k?.d === undefined) throw new Error('active signing key has no private part');
    const privateKey = createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', x: k.x, y: k.y, d: k.d },
      format: 'jwk',
    });
    this.#active = { kid: k.kid, privateKey };
    return this.#active;
  }

  /** Every published key (active and retired), as public JWKs. */
  publicJwks(crlVersions: ReadonlyMap<string, number> = new Map()): PublicEcJwk[] {
    this.#refresh();
    return this.#data.keys.map((k) => {
      const jwk: PublicEcJwk = {
        kty: 'EC',
        crv: 'P-256',
        x: k.x,
        y: k.y,
        kid: k.kid,
        use: 'sig',
        alg: 'ES256',
      };
      const v = crlVersions.get(k.kid);
      if (v !== undefined && v > 0) jwk.crlVersion = v;
      return jwk;
    });
  }

  /** The public key object of a published kid (for verifying). */
  publicKey(kid: string): KeyObject | undefined {
    const k = this.#data.keys.find((x) => x.kid === kid);
    return k === undefined
      ? undefined
      : createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: k.x, y: k.y }, format: 'jwk' });
  }

  /** Makes a new active key; the previous one is retired (public part kept, private part erased). */
  rotate(): string {
    this.#refresh();
    const now = new Date().toISOString();
    for (const k of this.#data.keys)
      if (k.kid === this.#data.active) {
        delete k.d;
        k.retiredAt = now;
      }
    const k = newKey();
    this.#data.keys.push(k);
    this.#data.active = k.kid;
    this.#active = undefined;
    this.#save();
    return k.kid;
  }
}
