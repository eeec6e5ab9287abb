import { randomBytes } from 'node:crypto';
import { CodedError } from '../../protocol/errors/index.js';
import type { Db } from '../../common/db.js';
import type { ResidentRecord } from '../record.js';
import type { PublicEcJwk } from './jwk.js';
import type { VdsNcSigner } from './pki.js';
import { SHC_MAX_JWS_CHARS, SHC_QR_LEVEL, signShc } from './shc.js';
import type { SigningKeys } from './signing-keys.js';
import { signVdsNc, type VdsNc } from './vdsnc.js';

/** One issuance's signed payloads. */
export interface IssuedCertificate {
  certificateId: string;
  rid: string;
  kid: string;
  shc: string;
  vdsNc?: VdsNc;
}

/** SMART Health Cards revocation list of one key (`<iss>/.well-known/crl/<kid>.json`). */
export interface Crl {
  kid: string;
  method: 'rid';
  ctr: number;
  rids: string[];
}

/** A record whose certificate cannot fit one version-22 QR (code VRS_CERT_TOO_LARGE). */
export class CertificateTooLargeError extends CodedError<'VRS_CERT_TOO_LARGE'> {
  constructor(chars: number) {
    super(
      'VRS_CERT_TOO_LARGE',
      `SMART Health Card of ${chars} characters does not fit one version-22 QR at level ${SHC_QR_LEVEL}`,
    );
  }
}

const BASE32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A certificate id (証明書ID, also the VDS-NC `uvci`): `JP<municipality>-<YYYYMMDD>-<12 random
 * characters>`, e.g. `JP131016-20240115-K7QX2M9PHTRA`. Random part: 60 bits from node:crypto.
 */
export function newCertificateId(municipality: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const r = randomBytes(12);
  let tail = '';
  for (const b of r) tail += BASE32[b & 31];
  return `JP${municipality}-${day}-${tail}`;
}

/**
 * Signs certificates and keeps what revocation needs (certificate id, rid, signing kid, municipality,
 * type, time; no personal data) in `vrs_certificate`. `rid` is per certificate: 12 random bytes (96 bits), 16 base64url characters.
 */
export class CertificateIssuer {
  readonly #db: Db;
  readonly #keys: SigningKeys;
  readonly #vdsnc: VdsNcSigner;
  readonly #iss: () => string;

  constructor(options: { db: Db; keys: SigningKeys; vdsnc: VdsNcSigner; iss: () => string }) {
    this.#db = options.db;
    this.#keys = options.keys;
    this.#vdsnc = options.vdsnc;
    this.#iss = options.iss;
  }

  get iss(): string {
    return this.#iss();
  }

  /** Signs without recording (benchmarks and size checks). */
  sign(
    record: ResidentRecord,
    municipality: string,
    certType: 'domestic' | 'overseas',
    now = new Date(),
  ): IssuedCertificate {
    const key = this.#keys.active();
    const certificateId = newCertificateId(municipality, now);
    const rid = randomBytes(12).toString('base64url');
    const input = { iss: this.#iss(), record, certType, rid, nbf: Math.floor(now.getTime() / 1000) };
    let shc = signShc(input, key);
    // An overseas card too large for one QR leaves the romaji name to the VDS-NC, which always carries it.
    if (shc.length > SHC_MAX_JWS_CHARS[SHC_QR_LEVEL] && certType === 'overseas')
      shc = signShc({ ...input, withRomaji: false }, key);
    if (shc.length > SHC_MAX_JWS_CHARS[SHC_QR_LEVEL]) throw new CertificateTooLargeError(shc.length);
    const out: IssuedCertificate = { certificateId, rid, kid: key.kid, shc };
    if (certType === 'overseas') out.vdsNc = signVdsNc(record, certificateId, this.#vdsnc);
    return out;
  }

  /** Signs and records one issuance. */
  async issue(
    record: ResidentRecord,
    municipality: string,
    certType: 'domestic' | 'overseas',
    now = new Date(),
  ): Promise<IssuedCertificate> {
    const c = this.sign(record, municipality, certType, now);
    await this.#db.query(
      'INSERT INTO vrs_certificate (certificate_id, rid, kid, municipality, cert_type, issued_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [c.certificateId, c.rid, c.kid, municipality, certType, now.toISOString()],
    );
    return c;
  }

  /** Revokes a certificate by id: its rid appears in its key's CRL. False when unknown or already revoked. */
  async revoke(certificateId: string): Promise<boolean> {
    if (typeof certificateId !== 'string') throw new TypeError('certificateId: string expected');
    const r = await this.#db.query(
      'UPDATE vrs_certificate SET revoked_at = now() WHERE certificate_id = $1 AND revoked_at IS NULL',
      [certificateId],
    );
    return r.affectedRows === 1;
  }

  /** The CRL of a published key; undefined for a kid that is not ours. */
  async crl(kid: string): Promise<Crl | undefined> {
    if (!this.#keys.publicJwks().some((k) => k.kid === kid)) return undefined;
    const r = await this.#db.query<{ rid: string }>(
      'SELECT rid FROM vrs_certificate WHERE kid = $1 AND revoked_at IS NOT NULL ORDER BY revoked_at, rid',
      [kid],
    );
    const rids = r.rows.map((x) => x.rid);
    return { kid, method: 'rid', ctr: rids.length, rids };
  }

  /** The JWKS with each key's `crlVersion` (the count of revocations, which only grows). */
  async jwks(): Promise<{ keys: PublicEcJwk[] }> {
    const r = await this.#db.query<{ kid: string; n: string | number }>(
      'SELECT kid, count(*) AS n FROM vrs_certificate WHERE revoked_at IS NOT NULL GROUP BY kid',
    );
    return { keys: this.#keys.publicJwks(new Map(r.rows.map((x) => [x.kid, Number(x.n)]))) };
  }

  /** The VDS-NC signer and CSCA certificates (PEM). */
  vdsNcCertificates(): { signer: string; csca: string } {
    return { signer: this.#vdsnc.signerPem, csca: this.#vdsnc.cscaPem };
  }
}
