import type { Logger } from '../../../common/log.js';
import { parseBasic4Ef, parseMyNumberEf } from '../../../protocol/card-data.js';
import type { Pn532Reader } from '../pn532/reader.js';
import type { ReaderFailureCode } from '../pn532/result.js';
import { EF } from './apdu.js';
import { readJpkiPinCounter, selectJpkiAp } from './jpki.js';
import {
  readPinRetryCounter,
  readTlvEf,
  selectKenhojoAp,
  verifyPin,
  type ApResult,
  type ApduExchange,
  type VerifyResult,
} from './ap.js';

/** What the kiosk needs from the reader: the Pn532Reader's card-level methods. */
export type CardReaderPort = Pick<Pn532Reader, 'waitForCard' | 'exchange' | 'release' | 'waitForRemoval'>;

/** Everything read from the card: the four EFs (forwarded to VRS, which verifies them) and their parsed content. */
export interface MyNumberCardData {
  myNumber: string;
  name: string;
  address: string;
  birthDate: string;
  sex: string;
  files: { myNumberEf: Uint8Array; basic4Ef: Uint8Array; signatureEf: Uint8Array; certificateEf: Uint8Array };
}

/** ASCII digits `0`–`9`, 4 of them (券面事項入力補助用暗証番号). */
export function checkPin(pin: unknown): asserts pin is Uint8Array {
  if (!(pin instanceof Uint8Array)) throw new TypeError('pin: a Uint8Array of ASCII digits is required');
  if (pin.length !== 4 || !pin.every((b) => b >= 0x30 && b <= 0x39))
    throw new TypeError('pin: exactly 4 ASCII digits are required');
}

/**
 * One resident's card transaction, step by step for the kiosk's state machine:
 * `waitForCard()` → `readRetryCounter()` (show tries left) → `verifyAndRead(pin)` (may answer CARD_PIN_WRONG
 * with `remaining`; call again with a new PIN — never retried here) → `waitForRemoval()`.
 * The card is released (InRelease) after the read and whenever the transaction ends in failure.
 */
export class CardSession {
  readonly #reader: CardReaderPort;
  readonly #log: Logger | undefined;
  readonly #exchange: ApduExchange;
  #active = false;
  #done = false;

  constructor(options: { reader: CardReaderPort; logger?: Logger }) {
    if (!options?.reader || typeof options.reader.exchange !== 'function')
      throw new TypeError('options.reader: a card reader is required');
    this.#reader = options.reader;
    this.#log = options.logger;
    this.#exchange = (apdu) => this.#reader.exchange(apdu);
  }

  /** Waits for a card and selects the 券面事項入力補助AP (CARD_AP_MISSING for other cards). */
  async waitForCard(options: {
    timeoutMs: number;
    pollMs?: number;
    signal?: AbortSignal;
  }): Promise<ApResult<object>> {
    this.#done = false;
    const r = await this.#reader.waitForCard(options);
    if (!r.ok) return r;
    this.#active = true;
    const s = await selectKenhojoAp(this.#exchange);
    if (!s.ok) await this.#fail(s.code);
    return s;
  }

  /** The PIN tries left, read before asking for the PIN. A locked card ends the transaction (CARD_PIN_LOCKED). */
  async readRetryCounter(): Promise<ApResult<{ remaining: number }>> {
    if (!this.#active) return { ok: false, code: 'CARD_NOT_PRESENT' };
    const r = await readPinRetryCounter(this.#exchange);
    if (!r.ok) await this.#fail(r.code);
    return r;
  }

  /**
   * The 利用者証明用 PIN's tries left (its own counter, in the 公的個人認証AP), for the PIN screen: SELECT that
   * AP, query EF 00 18, SELECT the 券面事項入力補助AP again. Only before VERIFY. A locked PIN is `remaining: 0`;
   * a card without the 公的個人認証AP is CARD_JPKI_MISSING. The card session stays.
   */
  async otherPinCounter(): Promise<ApResult<{ remaining: number }>> {
    if (!this.#active || this.#done) return { ok: false, code: 'CARD_NOT_PRESENT' };
    const sel = await this.#exchange(selectJpkiAp());
    let r: ApResult<{ remaining: number }>;
    if (!sel.ok) r = sel;
    else if (sel.response.length < 2 || sel.response[sel.response.length - 2] !== 0x90)
      r = { ok: false, code: 'CARD_JPKI_MISSING' };
    else r = await readJpkiPinCounter(this.#exchange);
    const back = await selectKenhojoAp(this.#exchange);
    if (!back.ok) {
      await this.#fail(back.code);
      return back;
    }
    if (!r.ok && r.code === 'CARD_PIN_LOCKED') return { ok: true, remaining: 0 };
    return r;
  }

  /**
   * VERIFY the PIN once, then read My Number, 基本4情報, the signature block and the certificate. `pin` (ASCII
   * digits) is zeroed before this returns, whatever happens. A wrong PIN keeps the card session so the kiosk
   * may ask again; everything else ends it and releases the card.
   */
  async verifyAndRead(
    pin: Uint8Array,
  ): Promise<ApResult<{ data: MyNumberCardData }> | Extract<VerifyResult, { code: 'CARD_PIN_WRONG' }>> {
    try {
      checkPin(pin);
    } catch (err) {
      if (pin instanceof Uint8Array) pin.fill(0);
      throw err;
    }
    if (!this.#active || this.#done) {
      pin.fill(0);
      return { ok: false, code: 'CARD_NOT_PRESENT' };
    }
    let v: VerifyResult;
    try {
      v = await verifyPin(this.#exchange, pin);
    } finally {
      pin.fill(0);
    }
    if (!v.ok) {
      if (v.code === 'CARD_PIN_WRONG') {
        this.#log?.info('card.pin_wrong', { code: v.code, remaining: 'remaining' in v ? v.remaining : null });
        return v;
      }
      await this.#fail(v.code);
      return { ok: false, code: v.code };
    }
    const data = await this.#readAll();
    this.#done = true;
    await this.#release();
    if (!data.ok) this.#log?.warn('card.read_failed', { code: data.code });
    return data;
  }

  async #readAll(): Promise<ApResult<{ data: MyNumberCardData }>> {
    const mn = await readTlvEf(this.#exchange, EF.myNumber, 17);
    if (!mn.ok) return mn;
    const b4 = await readTlvEf(this.#exchange, EF.basic4);
    if (!b4.ok) return b4;
    const sig = await readTlvEf(this.#exchange, EF.signature);
    if (!sig.ok) return sig;
    const cert = await readTlvEf(this.#exchange, EF.certificate);
    if (!cert.ok) return cert;
    const pm = parseMyNumberEf(mn.bytes);
    const pb = parseBasic4Ef(b4.bytes);
    if (!pm.ok || !pb.ok) return { ok: false, code: 'CARD_DATA_INVALID' };
    return {
      ok: true,
      data: {
        myNumber: pm.myNumber,
        name: pb.name,
        address: pb.address,
        birthDate: pb.birthDate,
        sex: pb.sex,
        files: {
          myNumberEf: mn.bytes,
          basic4Ef: b4.bytes,
          signatureEf: sig.bytes,
          certificateEf: cert.bytes,
        },
      },
    };
  }

  /** Waits until the card leaves the reader (`removed: false` when `timeoutMs` passes first). */
  async waitForRemoval(options: {
    timeoutMs: number;
    pollMs?: number;
    signal?: AbortSignal;
  }): Promise<{ ok: true; removed: boolean } | { ok: false; code: ReaderFailureCode }> {
    await this.#release();
    return this.#reader.waitForRemoval(options);
  }

  /** Ends the transaction (releases the card if still active). */
  async end(): Promise<void> {
    this.#done = true;
    await this.#release();
  }

  async #fail(code: string): Promise<void> {
    this.#log?.info('card.transaction_failed', { code });
    this.#done = true;
    await this.#release();
  }

  async #release(): Promise<void> {
    if (!this.#active) return;
    this.#active = false;
    await this.#reader.release();
  }
}
