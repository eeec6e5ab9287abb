import { X509Certificate } from 'node:crypto';
import type { CertRequest } from '../../protocol/index.js';
import type { AlertKind } from '../alerts.js';
import type { CrlValidity } from './crl.js';
import type { SerialLinks } from './links.js';
import type { UsedNonces } from './nonces.js';
import { checkJpkiProof } from './verify.js';

/** How a municipality has VRS authenticate residents (VRS configuration; JPKI unless it chose カードAP). */
export type AuthMethod = 'jpki' | 'card-ap';

export type JpkiAuthResult =
  | { ok: true; myNumber: string; serial: string }
  | { ok: false; code: string; alert?: { kind: AlertKind; text: string } };

/**
 * JPKI authentication at VRS (PROTOCOL.md, "JPKI authentication"): the card's proof (certificate chain,
 * signature over the challenge, freshness, kiosk), single use of the card answer, validity by the CRL, and the
 * serial link to the resident. Alerts for what only an attacker produces: a replay (any kind) and a forgery.
 */
export class JpkiAuthenticator {
  readonly #ca: X509Certificate;
  readonly #validity: CrlValidity;
  readonly #links: SerialLinks;
  readonly #nonces: UsedNonces;
  readonly #cardAp: ReadonlySet<string>;

  constructor(options: {
    caCertificate: Uint8Array;
    validity: CrlValidity;
    links: SerialLinks;
    nonces: UsedNonces;
    /** Municipalities that chose カードAP authentication; every other one uses JPKI. */
    cardApMunicipalities?: Iterable<string>;
  }) {
    this.#ca = new X509Certificate(options.caCertificate);
    this.#validity = options.validity;
    this.#links = options.links;
    this.#nonces = options.nonces;
    this.#cardAp = new Set(options.cardApMunicipalities ?? []);
  }

  method(municipality: string): AuthMethod {
    return this.#cardAp.has(municipality) ? 'card-ap' : 'jpki';
  }

  async authenticate(request: CertRequest, kioskId: string, now: number): Promise<JpkiAuthResult> {
    const auth = request.jpki;
    if (auth === undefined) return { ok: false, code: 'VRS_JPKI_INVALID' };
    const proof = checkJpkiProof({ auth, kioskId, ca: this.#ca, now });
    if (!proof.ok) {
      switch (proof.code) {
        case 'VRS_AUTH_STALE':
          return {
            ok: false,
            code: proof.code,
            alert: {
              kind: 'replayed-auth',
              text: `card answer outside the freshness window, code=${proof.code}`,
            },
          };
        case 'VRS_AUTH_WRONG_KIOSK':
          return {
            ok: false,
            code: proof.code,
            alert: { kind: 'replayed-auth', text: `card answer made for kiosk ${auth.kioskId}` },
          };
        case 'VRS_JPKI_INVALID':
        case 'VRS_JPKI_SIGNATURE_INVALID':
          return { ok: false, code: proof.code, alert: { kind: 'forged-card', text: `code=${proof.code}` } };
        default: {
          const never: never = proof.code;
          throw new TypeError(`code: ${String(never)}`);
        }
      }
    }
    if (!(await this.#nonces.use(proof.nonce, request.requestId, kioskId, now)))
      return {
        ok: false,
        code: 'VRS_AUTH_REPLAYED',
        alert: {
          kind: 'replayed-auth',
          text: `card answer of serial ${proof.serial} used by another request`,
        },
      };
    const status = await this.#validity.status(proof.serial);
    if (status === 'revoked') return { ok: false, code: 'VRS_JPKI_REVOKED' };
    if (status === 'unknown') return { ok: false, code: 'VRS_JPKI_VALIDITY_UNKNOWN' };
    const myNumber = await this.#links.resolve(proof.serial);
    if (myNumber === undefined) return { ok: false, code: 'VRS_JPKI_NOT_LINKED' };
    return { ok: true, myNumber, serial: proof.serial };
  }
}
