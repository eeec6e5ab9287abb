import { constants, privateEncrypt, type KeyObject } from 'node:crypto';
import { JPKI_EF } from '../../protocol/card-data/jpki.js';
import { SW, sameBytes, swOnly, withSw } from './apdu.js';
import { PIN_TRIES_MAX, type PinCounter } from './pin-counter.js';

/** What the card's 公的個人認証AP holds for 利用者証明 (user authentication). */
export interface JpkiApFiles {
  /** EF 00 0A: the 利用者証明用電子証明書 (X.509 DER). */
  certificate: Uint8Array;
  /** EF 00 0B: its CA's certificate (X.509 DER). */
  caCertificate: Uint8Array;
  /** EF 00 17: the private key (RSA-2048), used only by COMPUTE DIGITAL SIGNATURE. */
  privateKey: KeyObject;
  /** EF 00 18: the 利用者証明用暗証番号, ASCII digits. */
  pin: string;
  /** Its retry counter (its own, not the 券面事項入力補助用 one). */
  counter: PinCounter;
}

/** The largest DigestInfo a 2048-bit key can pad with PKCS#1 v1.5 type 1 (k − 11 bytes). */
const MAX_SIGN_INPUT = 256 - 11;

/**
 * The 公的個人認証AP (JPKI-AP) DF after SELECT by name `D3 92 F0 00 26 01 00 00 00 01` (docs/reference.md §3.6):
 * SELECT EF by FID (00 0A, 00 0B, 00 17, 00 18), READ BINARY of the certificates (free), VERIFY against
 * EF 00 18 (3 tries; `00 20 00 80` without data answers `63 Cx`; locked `69 83`), and COMPUTE DIGITAL
 * SIGNATURE `80 2A 00 80 Lc <DigestInfo> 00` with EF 00 17 selected and the PIN verified (`69 82` otherwise):
 * the answer is the 256-byte PKCS#1 v1.5 signature (the card pads the DigestInfo it is given and applies the
 * private key; it does not hash). The key EF cannot be read (`69 81`).
 */
export class JpkiAp {
  readonly #f: JpkiApFiles;
  readonly #pin: Uint8Array;
  #ef: number | undefined;
  #verified = false;

  constructor(files: JpkiApFiles) {
    this.#f = files;
    this.#pin = new TextEncoder().encode(files.pin);
  }

  /** SELECT of the DF (again): nothing selected, the PIN state dropped. */
  enter(): void {
    this.#ef = undefined;
    this.#verified = false;
  }

  selectEf(fid: number): Uint8Array {
    const known = Object.values(JPKI_EF) as number[];
    if (!known.includes(fid)) return swOnly(SW.FILE_NOT_FOUND);
    this.#ef = fid;
    return swOnly(SW.OK);
  }

  verify(body: Uint8Array): Uint8Array {
    if (this.#ef !== JPKI_EF.authPin) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
    const remaining = this.#f.counter.get();
    if (body.length === 0) return swOnly(this.#verified ? SW.OK : 0x63c0 | remaining);
    const lc = body[0]!;
    if (lc === 0 || body.length !== 1 + lc) return swOnly(SW.WRONG_LENGTH);
    if (remaining <= 0) return swOnly(SW.AUTH_BLOCKED);
    if (sameBytes(body.subarray(1), this.#pin)) {
      this.#f.counter.set(PIN_TRIES_MAX);
      this.#verified = true;
      return swOnly(SW.OK);
    }
    this.#verified = false;
    const left = remaining - 1;
    this.#f.counter.set(left);
    return swOnly(0x63c0 | left);
  }

  readBinary(p1: number, p2: number, body: Uint8Array): Uint8Array {
    if (p1 & 0x80) return swOnly(SW.WRONG_P1P2);
    if (body.length !== 1) return swOnly(SW.WRONG_LENGTH);
    if (this.#ef === undefined) return swOnly(SW.NO_CURRENT_EF);
    const file =
      this.#ef === JPKI_EF.authCertificate
        ? this.#f.certificate
        : this.#ef === JPKI_EF.authCaCertificate
          ? this.#f.caCertificate
          : undefined;
    if (file === undefined) return swOnly(SW.INCOMPATIBLE_FILE);
    const offset = (p1 << 8) | p2;
    const le = body[0] === 0 ? 256 : body[0]!;
    if (offset >= file.length) return swOnly(SW.WRONG_P1P2);
    return withSw(file.subarray(offset, Math.min(file.length, offset + le)), SW.OK);
  }

  /** `80 2A 00 80`: body = Lc ‖ DigestInfo ‖ Le (Le `00` = 256, or absent). */
  computeSignature(p1: number, p2: number, body: Uint8Array): Uint8Array {
    if (p1 !== 0x00 || p2 !== 0x80) return swOnly(SW.WRONG_P1P2);
    const lc = body[0];
    if (lc === undefined || lc === 0) return swOnly(SW.WRONG_LENGTH);
    const rest = body.length - 1 - lc;
    if (rest !== 0 && !(rest === 1 && body[1 + lc] === 0x00)) return swOnly(SW.WRONG_LENGTH);
    if (this.#ef !== JPKI_EF.authKey) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
    if (!this.#verified) return swOnly(SW.SECURITY_NOT_SATISFIED);
    const data = body.subarray(1, 1 + lc);
    if (data.length > MAX_SIGN_INPUT) return swOnly(SW.WRONG_DATA);
    // A DigestInfo for SHA-256 is what the kiosk sends; the card signs what it is given (as real cards do),
    // but an input that is not a DigestInfo at all (no SEQUENCE) is refused.
    if (data[0] !== 0x30) return swOnly(SW.WRONG_DATA);
    const sig = privateEncrypt({ key: this.#f.privateKey, padding: constants.RSA_PKCS1_PADDING }, data);
    return withSw(new Uint8Array(sig), SW.OK);
  }
}

/** Whether an APDU is the signing command (the emulator adds the card's signing time to it). */
export const isComputeSignature = (apdu: Uint8Array): boolean =>
  apdu[0] === 0x80 && apdu[1] === 0x2a && apdu[2] === 0x00 && apdu[3] === 0x80;
