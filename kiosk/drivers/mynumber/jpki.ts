import type { Logger } from '../../../common/log.js';
import { JPKI_AID, JPKI_EF, sha256DigestInfo } from '../../../protocol/card-data/jpki.js';
import type { ReaderFailureCode } from '../pn532/result.js';
import { isLockedSw, selectEf, splitResponse, verify, verifyQuery } from './apdu.js';
import {
  readPinRetryCounter,
  readTlvEf,
  selectKenhojoAp,
  type ApResult,
  type ApduExchange,
  type VerifyResult,
} from './ap.js';
import { checkPin, type CardReaderPort } from './session.js';

/** `00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01`: SELECT the 公的個人認証AP. */
export const selectJpkiAp = (): Uint8Array =>
  Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, JPKI_AID.length, ...JPKI_AID);

/** `80 2A 00 80 Lc <DigestInfo> 00`: COMPUTE DIGITAL SIGNATURE with the selected key (Le 00 = 256 bytes). */
export function computeSignature(digestInfo: Uint8Array): Uint8Array {
  if (!(digestInfo instanceof Uint8Array) || digestInfo.length < 1 || digestInfo.length > 245)
    throw new TypeError('digestInfo: 1–245 bytes');
  return Uint8Array.of(0x80, 0x2a, 0x00, 0x80, digestInfo.length, ...digestInfo, 0x00);
}

async function send(exchange: ApduExchange, apdu: Uint8Array) {
  const r = await exchange(apdu);
  if (!r.ok) return r;
  if (r.response.length < 2) return { ok: false as const, code: 'CARD_READ_FAILED' as const };
  return { ok: true as const, ...splitResponse(r.response) };
}

/** SELECT EF 00 18 and VERIFY without data in the selected 公的個人認証AP: the 利用者証明用 PIN's tries left. */
export async function readJpkiPinCounter(exchange: ApduExchange): Promise<ApResult<{ remaining: number }>> {
  const s = await send(exchange, selectEf(JPKI_EF.authPin));
  if (!s.ok) return s;
  if (s.sw !== 0x9000) return { ok: false, code: 'CARD_READ_FAILED' };
  const r = await send(exchange, verifyQuery());
  if (!r.ok) return r;
  if (isLockedSw(r.sw)) return { ok: false, code: 'CARD_PIN_LOCKED' };
  if ((r.sw & 0xfff0) === 0x63c0) return { ok: true, remaining: r.sw & 0x0f };
  if (r.sw === 0x9000) return { ok: true, remaining: 3 };
  return { ok: false, code: 'CARD_READ_FAILED' };
}

/** What the card proves for one transaction: its 利用者証明用 certificate and its signature over the challenge. */
export interface JpkiProof {
  /** EF 00 0A, X.509 DER. */
  certificate: Uint8Array;
  /** RSASSA-PKCS1-v1_5 (SHA-256) over the challenge, 256 bytes. */
  signature: Uint8Array;
}

/**
 * One resident's JPKI authentication, step by step for the kiosk's state machine:
 * `waitForCard()` (selects the 公的個人認証AP; CARD_JPKI_MISSING for a card without it) → `readRetryCounter()`
 * (利用者証明用 PIN tries left) → `authenticate(pin, challenge)` (VERIFY against EF 00 18 once, read EF 00 0A,
 * sign the challenge's DigestInfo with EF 00 17; may answer CARD_PIN_WRONG with `remaining`) →
 * `waitForRemoval()`. The card is released after the signature and whenever the transaction ends in failure.
 * The kiosk never selects the 券面事項入力補助AP on this path: it never reads the My Number.
 */
export class JpkiSession {
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

  async waitForCard(options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }) {
    this.#done = false;
    const r = await this.#reader.waitForCard(options);
    if (!r.ok) return r;
    this.#active = true;
    const s = await send(this.#exchange, selectJpkiAp());
    if (!s.ok) {
      await this.#fail(s.code);
      return s;
    }
    if (s.sw !== 0x9000) {
      await this.#fail('CARD_JPKI_MISSING');
      return { ok: false as const, code: 'CARD_JPKI_MISSING' as const };
    }
    return { ok: true as const };
  }

  /** The 利用者証明用 PIN tries left. A locked PIN ends the transaction (CARD_PIN_LOCKED). */
  async readRetryCounter(): Promise<ApResult<{ remaining: number }>> {
    if (!this.#active) return { ok: false, code: 'CARD_NOT_PRESENT' };
    const r = await this.#counter();
    if (!r.ok) await this.#fail(r.code);
    return r;
  }

  #counter(): Promise<ApResult<{ remaining: number }>> {
    return readJpkiPinCounter(this.#exchange);
  }

  /**
   * The 券面事項入力補助用 PIN's tries left (its own counter), for the PIN screen: SELECT that AP, query its
   * counter, SELECT the 公的個人認証AP again. Only before VERIFY (selecting a DF drops the security state).
   * A locked PIN is `remaining: 0`; a card without that AP is CARD_AP_MISSING. The card session stays.
   */
  async otherPinCounter(): Promise<ApResult<{ remaining: number }>> {
    if (!this.#active || this.#done) return { ok: false, code: 'CARD_NOT_PRESENT' };
    const sel = await selectKenhojoAp(this.#exchange);
    const r = sel.ok ? await readPinRetryCounter(this.#exchange) : sel;
    const back = await send(this.#exchange, selectJpkiAp());
    if (!back.ok || back.sw !== 0x9000) {
      await this.#fail(back.ok ? 'CARD_READ_FAILED' : back.code);
      return { ok: false, code: back.ok ? 'CARD_READ_FAILED' : back.code };
    }
    if (!r.ok && r.code === 'CARD_PIN_LOCKED') return { ok: true, remaining: 0 };
    return r;
  }

  /**
   * VERIFY the 利用者証明用 PIN once, then read the certificate and have the card sign `challenge` (the bytes
   * of `jpkiChallenge`; the card receives their SHA-256 DigestInfo). `pin` is zeroed before this returns.
   * A wrong PIN keeps the card session so the kiosk may ask again; anything else ends it.
   */
  async authenticate(
    pin: Uint8Array,
    challenge: Uint8Array,
  ): Promise<ApResult<{ proof: JpkiProof }> | Extract<VerifyResult, { code: 'CARD_PIN_WRONG' }>> {
    try {
      checkPin(pin);
      if (!(challenge instanceof Uint8Array) || challenge.length === 0)
        throw new TypeError('challenge: non-empty bytes');
    } catch (err) {
      if (pin instanceof Uint8Array) pin.fill(0);
      throw err;
    }
    if (!this.#active || this.#done) {
      pin.fill(0);
      return { ok: false, code: 'CARD_NOT_PRESENT' };
    }
    const v = await this.#verify(pin);
    if (!v.ok) {
      if (v.code === 'CARD_PIN_WRONG') {
        this.#log?.info('card.jpki_pin_wrong', { remaining: 'remaining' in v ? v.remaining : null });
        return v;
      }
      await this.#fail(v.code);
      return { ok: false, code: v.code };
    }
    const r = await this.#sign(challenge);
    this.#done = true;
    await this.#release();
    if (!r.ok) this.#log?.warn('card.jpki_failed', { code: r.code });
    return r;
  }

  async #verify(pin: Uint8Array): Promise<VerifyResult> {
    let apdu: Uint8Array | undefined;
    try {
      const s = await send(this.#exchange, selectEf(JPKI_EF.authPin));
      if (!s.ok) return s;
      if (s.sw !== 0x9000) return { ok: false, code: 'CARD_READ_FAILED' };
      apdu = verify(pin);
      const r = await send(this.#exchange, apdu);
      if (!r.ok) return r;
      if (r.sw === 0x9000) return { ok: true };
      if (isLockedSw(r.sw)) return { ok: false, code: 'CARD_PIN_LOCKED' };
      if ((r.sw & 0xfff0) === 0x63c0) return { ok: false, code: 'CARD_PIN_WRONG', remaining: r.sw & 0x0f };
      return { ok: false, code: 'CARD_READ_FAILED' };
    } finally {
      apdu?.fill(0);
      pin.fill(0);
    }
  }

  async #sign(challenge: Uint8Array): Promise<ApResult<{ proof: JpkiProof }>> {
    const cert = await readTlvEf(this.#exchange, JPKI_EF.authCertificate, 4);
    if (!cert.ok) return cert;
    const k = await send(this.#exchange, selectEf(JPKI_EF.authKey));
    if (!k.ok) return k;
    if (k.sw !== 0x9000) return { ok: false, code: 'CARD_READ_FAILED' };
    const s = await send(this.#exchange, computeSignature(sha256DigestInfo(challenge)));
    if (!s.ok) return s;
    if (s.sw !== 0x9000 || s.data.length !== 256) return { ok: false, code: 'CARD_READ_FAILED' };
    return { ok: true, proof: { certificate: cert.bytes, signature: s.data } };
  }

  async waitForRemoval(options: {
    timeoutMs: number;
    pollMs?: number;
    signal?: AbortSignal;
  }): Promise<{ ok: true; removed: boolean } | { ok: false; code: ReaderFailureCode }> {
    await this.#release();
    return this.#reader.waitForRemoval(options);
  }

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
