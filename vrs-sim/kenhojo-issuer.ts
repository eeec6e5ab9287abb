import { X509Certificate, verify as rsaVerify, type KeyObject } from 'node:crypto';
import type { KenhojoIssuerVerifier } from '../protocol/card-data.js';

/**
 * The 券面事項入力補助AP issuer as VRS trusts it: built from the issuer's X.509 certificate (PEM or DER), the
 * way the real issuer's certificate would be given, and used by `verifyCardData` to check EF 00 03's `DF 33`
 * (RSASSA-PKCS1-v1_5, SHA-256; docs/reference.md §3.4). The key must be RSA of at least 2048 bits and the
 * certificate inside its validity period at each check.
 *
 * @example
 * const issuer = KenhojoIssuer.fromCertificate(readFileSync('.state/sim/jlis/kenhojo-signer.pem'));
 * verifyCardData({ myNumberEf, basic4Ef, signatureEf, issuer });
 */
export class KenhojoIssuer implements KenhojoIssuerVerifier {
  readonly #key: KeyObject;
  readonly #notBefore: number;
  readonly #notAfter: number;
  readonly #now: () => number;
  /** The certificate's SHA-256 fingerprint (colon-separated hex), for logs and the start line. */
  readonly fingerprint: string;

  private constructor(cert: X509Certificate, now: () => number) {
    this.#key = cert.publicKey;
    this.#notBefore = Date.parse(cert.validFrom);
    this.#notAfter = Date.parse(cert.validTo);
    this.#now = now;
    this.fingerprint = cert.fingerprint256;
  }

  /** Throws `TypeError` when the bytes are not an X.509 certificate with an RSA key of 2048 bits or more. */
  static fromCertificate(
    certificate: string | Uint8Array,
    options: { now?: () => number } = {},
  ): KenhojoIssuer {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(typeof certificate === 'string' ? certificate : Buffer.from(certificate));
    } catch {
      throw new TypeError('kenhojo issuer: not an X.509 certificate (PEM or DER)');
    }
    const key = cert.publicKey;
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      throw new TypeError('kenhojo issuer: the certificate must hold an RSA key of at least 2048 bits');
    return new KenhojoIssuer(cert, options.now ?? Date.now);
  }

  verify(data: Uint8Array, signature: Uint8Array): boolean {
    const now = this.#now();
    if (!(now >= this.#notBefore && now <= this.#notAfter)) return false;
    try {
      return rsaVerify('sha256', data, this.#key, signature);
    } catch {
      return false;
    }
  }
}
