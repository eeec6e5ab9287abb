import 'reflect-metadata';
import {
  X509Certificate as NodeX509,
  createPrivateKey,
  randomBytes,
  sign as rsaSign,
  type KeyObject,
  type webcrypto,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { z } from 'zod';
import { createCardFiles, encodeTlv, type Basic4, type CardFiles } from '../protocol/card-data.js';
import { concatBytes } from '../protocol/card-data/tlv.js';
import { rsaKeyFor } from './keys.js';

x509.cryptoProvider.set(globalThis.crypto);

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const YEAR = 365 * DAY;
/** How long a published CRL is valid; the stand-in republishes on every revocation and when it is half used. */
export const CRL_VALIDITY_MS = DAY;

/** Why a card's certificate is revoked (J-LIS revokes on loss, expiry of the card, or a move away). */
export const REVOCATION_REASONS = ['lost', 'expired', 'moved'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];
const CRL_REASON: Record<RevocationReason, x509.X509CrlReason> = {
  lost: x509.X509CrlReason.keyCompromise,
  expired: x509.X509CrlReason.cessationOfOperation,
  moved: x509.X509CrlReason.affiliationChanged,
};

const CardEntry = z.object({
  resident: z.string().regex(/^[a-z0-9-]{1,32}$/),
  municipality: z.string().regex(/^\d{6}$/),
  issuedAt: z.string(),
  /** Which key generation of this resident's cards (a reissued card gets a new key). */
  generation: z.number().int().min(0),
  revoked: z.object({ at: z.string(), reason: z.enum(REVOCATION_REASONS) }).optional(),
});
const Registry = z.object({ cards: z.record(z.string().regex(/^[0-9a-f]{16}$/), CardEntry) });
type Registry = z.infer<typeof Registry>;
export type CardEntry = z.infer<typeof CardEntry>;

/** One card's 公的個人認証AP material: the 利用者証明用電子証明書 (DER) and its private key (stays in the card). */
export interface JpkiCardMaterial {
  serial: string;
  certificate: Uint8Array;
  privateKey: KeyObject;
  /** The CA certificate (EF 00 0B on the card). */
  caCertificate: Uint8Array;
}

function writeAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

async function cryptoKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  return globalThis.crypto.subtle.importKey(
    'pkcs8',
    key.export({ type: 'pkcs8', format: 'der' }),
    RSA,
    false,
    ['sign'],
  );
}
async function cryptoPublicKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  return globalThis.crypto.subtle.importKey('spki', key.export({ type: 'spki', format: 'der' }), RSA, true, [
    'verify',
  ]);
}

const pem = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;

/**
 * The J-LIS stand-in (公的個人認証サービス and the card issuer), in `<stateDir>` (default `.state/jlis`):
 *
 * - `auth-ca.pem` / `auth-ca.key.pem`: the 利用者証明用 certification authority (RSA-2048, self-signed): it
 *   issues each card's 利用者証明用電子証明書 and signs the CRL.
 * - `kenhojo-signer.pem` / `.key.pem`: the issuer key that signs each card's 券面事項入力補助AP data (EF 00 03).
 * - `cards/<resident>-<generation>.key.pem` and `.pem`: each card's key (the card's secret; in the simulator
 *   only) and certificate; `registry.json`: serial → resident id, municipality, issue and revocation (no
 *   personal data: the resident id is the fixture's label).
 * - `crl.der`: the current CRL (X.509 v2, signed by the CA), rewritten on every revocation.
 *
 * Private key files are 0600. All keys are generated test material.
 */
export class Jlis {
  readonly stateDir: string;
  readonly caCertificate: Uint8Array;
  readonly kenhojoSignerCertificate: Uint8Array;
  readonly #caKey: KeyObject;
  readonly #caName: string;
  readonly #kenhojoKey: KeyObject;
  #kenhojoCardCertificate: Uint8Array | undefined;
  #registry: Registry;

  private constructor(
    stateDir: string,
    ca: { cert: Uint8Array; key: KeyObject; name: string },
    kenhojo: { cert: Uint8Array; key: KeyObject },
  ) {
    this.stateDir = stateDir;
    this.caCertificate = ca.cert;
    this.#caKey = ca.key;
    this.#caName = ca.name;
    this.kenhojoSignerCertificate = kenhojo.cert;
    this.#kenhojoKey = kenhojo.key;
    this.#registry = this.#readRegistry();
  }

  /** Opens (creating on first use) the stand-in's state folder. */
  static async open(stateDir: string): Promise<Jlis> {
    mkdirSync(join(stateDir, 'cards'), { recursive: true, mode: 0o700 });
    const ca = await selfSigned(
      stateDir,
      'auth-ca',
      'CN=JPKI User Authentication CA (stand-in), OU=jlis-sim test material, O=JPKI, C=JP',
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
    );
    const kenhojo = await selfSigned(
      stateDir,
      'kenhojo-signer',
      'CN=Card Input Support AP Signer (stand-in), OU=jlis-sim test material, O=J-LIS, C=JP',
      x509.KeyUsageFlags.digitalSignature,
    );
    const j = new Jlis(stateDir, ca, kenhojo);
    if (!existsSync(join(stateDir, 'crl.der'))) await j.publishCrl();
    return j;
  }

  #readRegistry(): Registry {
    const path = join(this.stateDir, 'registry.json');
    if (!existsSync(path)) return { cards: {} };
    return Registry.parse(JSON.parse(readFileSync(path, 'utf8')));
  }

  #writeRegistry(): void {
    writeAtomic(join(this.stateDir, 'registry.json'), JSON.stringify(this.#registry, null, 2) + '\n');
  }

  /** Re-reads the registry (another process, e.g. the CLI, may have revoked a card). */
  reload(): void {
    this.#registry = this.#readRegistry();
  }

  /** The registry entries (serial → entry), for the CLI, links and tests. */
  cards(): ReadonlyArray<[string, CardEntry]> {
    return Object.entries(this.#registry.cards);
  }

  /** The resident's current card: the latest generation, revoked or not. */
  currentSerial(resident: string): string | undefined {
    let best: [string, CardEntry] | undefined;
    for (const e of this.cards())
      if (e[1].resident === resident && (best === undefined || e[1].generation > best[1].generation))
        best = e;
    return best?.[0];
  }

  /**
   * The resident's card material, issuing a first card when none exists. A revoked card stays revoked (as a
   * physical card does): `reissue` makes a new one.
   */
  async cardFor(resident: { id: string; municipality: string }): Promise<JpkiCardMaterial> {
    const serial = this.currentSerial(resident.id);
    if (serial !== undefined) return this.#load(serial);
    return this.#issue(resident, 0);
  }

  /** A new card for the resident (new key, new certificate, new serial); the old one is left as it is. */
  async reissue(resident: { id: string; municipality: string }): Promise<JpkiCardMaterial> {
    const serial = this.currentSerial(resident.id);
    const gen = serial === undefined ? 0 : this.#registry.cards[serial]!.generation + 1;
    return this.#issue(resident, gen);
  }

  async #issue(
    resident: { id: string; municipality: string },
    generation: number,
  ): Promise<JpkiCardMaterial> {
    const { privateKey, publicKey } = await rsaKeyFor(`card:${resident.id}:${generation}`);
    const serialBytes = randomBytes(8);
    serialBytes[0]! &= 0x7f;
    serialBytes[0]! |= 0x10;
    const serial = serialBytes.toString('hex');
    const caCert = new x509.X509Certificate(Buffer.from(this.caCertificate));
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial,
      // No name, address, birth date or My Number: only a meaningless common name, as on real 利用者証明用 certificates.
      subject: `CN=${serial}, OU=jlis-sim test material, O=JPKI, C=JP`,
      issuer: caCert.subject,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 5 * YEAR),
      publicKey: await cryptoPublicKey(publicKey),
      signingKey: await cryptoKey(this.#caKey),
      signingAlgorithm: RSA,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ],
    });
    const base = join(this.stateDir, 'cards', `${resident.id}-${generation}`);
    writeAtomic(`${base}.key.pem`, pem(privateKey), 0o600);
    writeAtomic(`${base}.pem`, cert.toString('pem') + '\n');
    this.reload();
    this.#registry.cards[serial] = {
      resident: resident.id,
      municipality: resident.municipality,
      issuedAt: new Date(now).toISOString(),
      generation,
    };
    this.#writeRegistry();
    return {
      serial,
      certificate: new Uint8Array(cert.rawData),
      privateKey,
      caCertificate: this.caCertificate,
    };
  }

  #load(serial: string): JpkiCardMaterial {
    const e = this.#registry.cards[serial]!;
    const base = join(this.stateDir, 'cards', `${e.resident}-${e.generation}`);
    return {
      serial,
      certificate: new Uint8Array(new NodeX509(readFileSync(`${base}.pem`)).raw),
      privateKey: createPrivateKey(readFileSync(`${base}.key.pem`)),
      caCertificate: this.caCertificate,
    };
  }

  /**
   * Revokes a card (by serial, or a resident's current card by resident id) and republishes the CRL at once.
   * Returns the serial, or undefined when there is no such card. Revoking twice keeps the first record.
   */
  async revoke(
    serialOrResident: string,
    reason: RevocationReason,
    at = new Date(),
  ): Promise<string | undefined> {
    this.reload();
    const serial =
      this.#registry.cards[serialOrResident] !== undefined
        ? serialOrResident
        : this.currentSerial(serialOrResident);
    if (serial === undefined) return undefined;
    const e = this.#registry.cards[serial]!;
    if (e.revoked === undefined) {
      e.revoked = { at: at.toISOString(), reason };
      this.#writeRegistry();
    }
    await this.publishCrl(at);
    return serial;
  }

  /** Signs and writes `crl.der` (thisUpdate = now, nextUpdate = now + CRL_VALIDITY_MS); returns its bytes. */
  async publishCrl(now = new Date()): Promise<Uint8Array> {
    this.reload();
    const entries = this.cards()
      .filter(([, e]) => e.revoked !== undefined)
      .map(([serial, e]) => ({
        serialNumber: serial,
        revocationDate: new Date(e.revoked!.at),
        reason: CRL_REASON[e.revoked!.reason],
      }));
    const crl = await x509.X509CrlGenerator.create({
      issuer: this.#caName,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + CRL_VALIDITY_MS),
      entries,
      signingKey: await cryptoKey(this.#caKey),
      signingAlgorithm: RSA,
    });
    const der = new Uint8Array(crl.rawData);
    writeAtomic(join(this.stateDir, 'crl.der'), der);
    return der;
  }

  /** The published CRL as it is on disk. */
  currentCrl(): Uint8Array {
    return new Uint8Array(readFileSync(join(this.stateDir, 'crl.der')));
  }

  /**
   * The 券面事項入力補助AP issuer's signature (RSASSA-PKCS1-v1_5, SHA-256) over `data`: what a card's
   * EF 00 03 carries in `DF 33`.
   */
  signKenhojo(data: Uint8Array): Uint8Array {
    return new Uint8Array(rsaSign('sha256', data, this.#kenhojoKey));
  }

  /**
   * EF 00 04 of the 券面事項入力補助AP in the card-verifiable certificate layout public readers report
   * (docs/reference.md §3.4): `7F 21` { `5F 4E` (issuer reference 16 bytes ‖ holder reference 16 bytes ‖
   * `82` exponent ‖ `81` modulus), `5F 37` signature over the `5F 4E` element }. On real cards it certifies the
   * card's own internal-authentication key; the stand-in certifies the issuer key itself (no internal
   * authentication is simulated) and nothing verifies it: the trust is the issuer's X.509 certificate.
   */
  kenhojoCardCertificate(): Uint8Array {
    if (this.#kenhojoCardCertificate !== undefined) return this.#kenhojoCardCertificate;
    const jwk = this.#kenhojoKey.export({ format: 'jwk' });
    const n = Buffer.from(jwk.n!, 'base64url');
    const e = Buffer.from(jwk.e!, 'base64url');
    const ref = (s: string) => new Uint8Array(Buffer.from(s.padEnd(16, ' ').slice(0, 16), 'ascii'));
    const content = encodeTlv(
      0x5f4e,
      concatBytes(ref('JLISSIM-KENHOJO'), ref('JLISSIM-KENHOJO'), encodeTlv(0x82, e), encodeTlv(0x81, n)),
    );
    this.#kenhojoCardCertificate = encodeTlv(
      0x7f21,
      concatBytes(content, encodeTlv(0x5f37, this.signKenhojo(content))),
    );
    return this.#kenhojoCardCertificate;
  }

  /** A card's 券面事項入力補助AP files (EF 00 01–00 04), signed by the issuer key. */
  kenhojoFiles(holder: Basic4 & { myNumber: string }): CardFiles {
    return createCardFiles(holder, {
      signer: { sign: (d) => this.signKenhojo(d) },
      certificateEf: this.kenhojoCardCertificate(),
    });
  }

  /**
   * The serial ↔ resident link J-LIS gives a municipality for its residents (serial → resident id), current
   * cards only, revoked ones included (the municipality refuses them by the CRL anyway).
   */
  link(municipality: string): Array<{ serial: string; resident: string }> {
    this.reload();
    return this.cards()
      .filter(([, e]) => e.municipality === municipality)
      .map(([serial, e]) => ({ serial, resident: e.resident }));
  }
}

async function selfSigned(
  dir: string,
  name: string,
  subject: string,
  usage: x509.KeyUsageFlags,
): Promise<{ cert: Uint8Array; key: KeyObject; name: string }> {
  const keyFile = join(dir, `${name}.key.pem`);
  const certFile = join(dir, `${name}.pem`);
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    const { privateKey, publicKey } = await rsaKeyFor(`${name}:${dir}`);
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomBytes(8).toString('hex').replace(/^./, '1'),
      name: subject,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 10 * YEAR),
      keys: { privateKey: await cryptoKey(privateKey), publicKey: await cryptoPublicKey(publicKey) },
      signingAlgorithm: RSA,
      extensions: [
        new x509.BasicConstraintsExtension(usage !== x509.KeyUsageFlags.digitalSignature, 0, true),
        new x509.KeyUsagesExtension(usage, true),
        await x509.SubjectKeyIdentifierExtension.create(await cryptoPublicKey(publicKey)),
      ],
    });
    writeAtomic(keyFile, pem(privateKey), 0o600);
    writeAtomic(certFile, cert.toString('pem') + '\n');
  }
  const cert = new NodeX509(readFileSync(certFile));
  const key = createPrivateKey(readFileSync(keyFile));
  if (!cert.checkPrivateKey(key)) throw new Error(`${name}: key and certificate do not match`);
  return { cert: new Uint8Array(cert.raw), key, name: new x509.X509Certificate(cert.raw).subject };
}
