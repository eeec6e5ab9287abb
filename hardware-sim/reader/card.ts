import type { CardFiles } from '../../protocol/card-data.js';
import { JPKI_AID } from '../../protocol/card-data/jpki.js';
import { FID, KENHOJO_AID, SW, sameBytes, swOnly, withSw } from './apdu.js';
import { JpkiAp, type JpkiApFiles } from './jpki-ap.js';
import { PIN_TRIES_MAX, type PinCounter } from './pin-counter.js';

export { PIN_TRIES_MAX, type PinCounter };

/**
 * How a placed card behaves (the panel's `mode`). `forged`: the 4-info EF was altered after the card was
 * signed (the name changed, the signature block kept), so VRS must refuse it with CARD_FORGED.
 */
export const CARD_MODES = ['normal', 'no-ap', 'slow', 'remove-mid-read', 'garble', 'forged'] as const;
export type CardMode = (typeof CARD_MODES)[number];

export interface SimCardOptions {
  residentId: string;
  files: CardFiles;
  /** ASCII digits. */
  pin: string;
  counter: PinCounter;
  hasAp: boolean;
  /** The 公的個人認証AP's 利用者証明 objects; a card without them answers `6A 82` to its SELECT. */
  jpki?: JpkiApFiles;
}

/**
 * A My Number card as an ISO/IEC 7816-4 file system with two applications:
 * - the 券面事項入力補助AP: SELECT by DF name and by FID, VERIFY against EF 00 11 (3 tries, counter persisted
 *   outside), READ BINARY with a 15-bit offset. EF 00 01, 00 02 and 00 03 need a verified PIN; EF 00 04 is
 *   free;
 * - the 公的個人認証AP (`jpki-ap.ts`): the 利用者証明用電子証明書, its key (signing only) and its own PIN.
 * Selecting a DF (either one, or again) drops the security state of both.
 */
export class SimCard {
  readonly residentId: string;
  readonly #files: CardFiles;
  readonly #pin: Uint8Array;
  readonly #counter: PinCounter;
  readonly #hasAp: boolean;
  readonly #jpki: JpkiAp | undefined;
  #apSelected = false;
  #jpkiSelected = false;
  #ef: number | undefined;
  #verified = false;

  constructor(options: SimCardOptions) {
    this.residentId = options.residentId;
    this.#files = options.files;
    this.#pin = new TextEncoder().encode(options.pin);
    this.#counter = options.counter;
    this.#hasAp = options.hasAp;
    this.#jpki = options.jpki ? new JpkiAp(options.jpki) : undefined;
  }

  /** Card reset (field off, new activation): nothing selected, PIN not verified. */
  reset(): void {
    this.#apSelected = false;
    this.#jpkiSelected = false;
    this.#jpki?.enter();
    this.#ef = undefined;
    this.#verified = false;
  }

  /** Handles one command APDU and returns the response APDU (data + SW1 SW2). */
  transmit(apdu: Uint8Array): Uint8Array {
    if (apdu.length < 4) return swOnly(SW.WRONG_LENGTH);
    const [cla, ins, p1, p2] = apdu as unknown as [number, number, number, number];
    const body = apdu.subarray(4);
    if (cla === 0x80 && ins === 0x2a) {
      if (!this.#jpkiSelected || !this.#jpki) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
      return this.#jpki.computeSignature(p1, p2, body);
    }
    if (cla !== 0x00) return swOnly(SW.CLA_NOT_SUPPORTED);
    if (this.#jpkiSelected && this.#jpki && !(ins === 0xa4 && p1 === 0x04)) {
      switch (ins) {
        case 0xa4:
          return this.#selectJpkiEf(p1, p2, body);
        case 0x20:
          if (p1 !== 0x00 || p2 !== 0x80) return swOnly(SW.WRONG_P1P2);
          return this.#jpki.verify(body);
        case 0xb0:
          return this.#jpki.readBinary(p1, p2, body);
        default:
          return swOnly(SW.INS_NOT_SUPPORTED);
      }
    }
    switch (ins) {
      case 0xa4:
        return this.#select(p1, p2, body);
      case 0x20:
        return this.#verify(p1, p2, body);
      case 0xb0:
        return this.#readBinary(p1, p2, body);
      default:
        return swOnly(SW.INS_NOT_SUPPORTED);
    }
  }

  #select(p1: number, p2: number, body: Uint8Array): Uint8Array {
    const lc = body[0];
    if (lc === undefined || body.length < 1 + lc) return swOnly(SW.WRONG_LENGTH);
    const data = body.subarray(1, 1 + lc);
    if (p2 !== 0x0c && p2 !== 0x00) return swOnly(SW.WRONG_P1P2);
    if (p1 === 0x04) {
      this.#ef = undefined;
      this.#verified = false;
      this.#jpki?.enter();
      this.#jpkiSelected = this.#jpki !== undefined && sameBytes(data, JPKI_AID);
      this.#apSelected = this.#hasAp && sameBytes(data, KENHOJO_AID);
      return swOnly(this.#apSelected || this.#jpkiSelected ? SW.OK : SW.FILE_NOT_FOUND);
    }
    if (p1 === 0x02) {
      if (lc !== 2) return swOnly(SW.WRONG_LENGTH);
      const fid = (data[0]! << 8) | data[1]!;
      const known = Object.values(FID) as number[];
      if (!this.#apSelected || !known.includes(fid)) return swOnly(SW.FILE_NOT_FOUND);
      this.#ef = fid;
      return swOnly(SW.OK);
    }
    return swOnly(SW.WRONG_P1P2);
  }

  #selectJpkiEf(p1: number, p2: number, body: Uint8Array): Uint8Array {
    const lc = body[0];
    if (lc === undefined || body.length < 1 + lc) return swOnly(SW.WRONG_LENGTH);
    if (p2 !== 0x0c && p2 !== 0x00) return swOnly(SW.WRONG_P1P2);
    if (p1 !== 0x02) return swOnly(SW.WRONG_P1P2);
    if (lc !== 2) return swOnly(SW.WRONG_LENGTH);
    return this.#jpki!.selectEf((body[1]! << 8) | body[2]!);
  }

  #verify(p1: number, p2: number, body: Uint8Array): Uint8Array {
    if (p1 !== 0x00 || p2 !== 0x80) return swOnly(SW.WRONG_P1P2);
    if (!this.#apSelected) return swOnly(SW.CONDITIONS_NOT_SATISFIED);
    const remaining = this.#counter.get();
    if (body.length === 0) {
      // Case 1: the retry-counter query. 63 C0 once blocked (as jpki/myna's model card).
      return swOnly(this.#verified ? SW.OK : 0x63c0 | remaining);
    }
    const lc = body[0]!;
    if (lc === 0 || body.length !== 1 + lc) return swOnly(SW.WRONG_LENGTH);
    if (remaining <= 0) return swOnly(SW.AUTH_BLOCKED);
    if (sameBytes(body.subarray(1), this.#pin)) {
      this.#counter.set(PIN_TRIES_MAX);
      this.#verified = true;
      return swOnly(SW.OK);
    }
    this.#verified = false;
    const left = remaining - 1;
    this.#counter.set(left);
    return swOnly(0x63c0 | left);
  }

  #readBinary(p1: number, p2: number, body: Uint8Array): Uint8Array {
    if (p1 & 0x80) return swOnly(SW.WRONG_P1P2);
    if (body.length !== 1) return swOnly(SW.WRONG_LENGTH);
    if (this.#ef === undefined) return swOnly(SW.NO_CURRENT_EF);
    const file = this.#fileFor(this.#ef);
    if (file === undefined) return swOnly(SW.NO_CURRENT_EF);
    if (this.#ef !== FID.certificate && !this.#verified) return swOnly(SW.SECURITY_NOT_SATISFIED);
    const offset = (p1 << 8) | p2;
    const le = body[0] === 0 ? 256 : body[0]!;
    if (offset >= file.length) return swOnly(SW.WRONG_P1P2);
    return withSw(file.subarray(offset, Math.min(file.length, offset + le)), SW.OK);
  }

  #fileFor(fid: number): Uint8Array | undefined {
    switch (fid) {
      case FID.myNumber:
        return this.#files.myNumberEf;
      case FID.basic4:
        return this.#files.basic4Ef;
      case FID.signature:
        return this.#files.signatureEf;
      case FID.certificate:
        return this.#files.certificateEf;
      default:
        return undefined;
    }
  }
}
