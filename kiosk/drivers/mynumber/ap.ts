import { readTlvHeader } from '../../../protocol/card-data.js';
import type { CardFailureCode, ReaderFailureCode } from '../pn532/result.js';
import {
  EF,
  isLockedSw,
  readBinary,
  selectAp,
  selectEf,
  splitResponse,
  verify,
  verifyQuery,
} from './apdu.js';

export type MyNumberFailureCode =
  | ReaderFailureCode
  | CardFailureCode
  | 'CARD_AP_MISSING'
  | 'CARD_JPKI_MISSING'
  | 'CARD_PIN_LOCKED'
  | 'CARD_DATA_INVALID';

export type ApResult<T> = ({ ok: true } & T) | { ok: false; code: MyNumberFailureCode };

/** Sends one command APDU, returns the response APDU (the reader's `exchange`). */
export type ApduExchange = (
  apdu: Uint8Array,
) => Promise<{ ok: true; response: Uint8Array } | { ok: false; code: ReaderFailureCode | CardFailureCode }>;

/** The largest EF this driver reads (the 4-info EF of a very long name and address stays far below). */
const MAX_EF = 4096;

async function send(
  exchange: ApduExchange,
  apdu: Uint8Array,
): Promise<ApResult<{ data: Uint8Array; sw: number }>> {
  const r = await exchange(apdu);
  if (!r.ok) return r;
  if (r.response.length < 2) return { ok: false, code: 'CARD_READ_FAILED' };
  return { ok: true, ...splitResponse(r.response) };
}

/** SELECT the 券面事項入力補助AP. A card without it (6A 82, or any refusal) is CARD_AP_MISSING. */
export async function selectKenhojoAp(exchange: ApduExchange): Promise<ApResult<object>> {
  const r = await send(exchange, selectAp());
  if (!r.ok) return r;
  return r.sw === 0x9000 ? { ok: true } : { ok: false, code: 'CARD_AP_MISSING' };
}

/** SELECT EF 00 11 and VERIFY without data: the PIN tries left (3 when full). 0 left → CARD_PIN_LOCKED. */
export async function readPinRetryCounter(exchange: ApduExchange): Promise<ApResult<{ remaining: number }>> {
  const s = await send(exchange, selectEf(EF.pin));
  if (!s.ok) return s;
  if (s.sw !== 0x9000) return { ok: false, code: 'CARD_READ_FAILED' };
  const r = await send(exchange, verifyQuery());
  if (!r.ok) return r;
  if (isLockedSw(r.sw)) return { ok: false, code: 'CARD_PIN_LOCKED' };
  if ((r.sw & 0xfff0) === 0x63c0) return { ok: true, remaining: r.sw & 0x0f };
  if (r.sw === 0x9000) return { ok: true, remaining: 3 }; // already verified in this session
  return { ok: false, code: 'CARD_READ_FAILED' };
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; code: 'CARD_PIN_WRONG'; remaining: number }
  | { ok: false; code: MyNumberFailureCode };

/**
 * VERIFY the PIN (ASCII digits) against EF 00 11. Sent once: a failure is reported, never retried here.
 * The APDU buffer holding the PIN is zeroed before returning; the caller zeroes `pin`.
 */
export async function verifyPin(exchange: ApduExchange, pin: Uint8Array): Promise<VerifyResult> {
  const s = await send(exchange, selectEf(EF.pin));
  if (!s.ok) return s;
  if (s.sw !== 0x9000) return { ok: false, code: 'CARD_READ_FAILED' };
  const apdu = verify(pin);
  let r: Awaited<ReturnType<typeof send>>;
  try {
    r = await send(exchange, apdu);
  } finally {
    apdu.fill(0);
  }
  if (!r.ok) return r;
  if (r.sw === 0x9000) return { ok: true };
  if (isLockedSw(r.sw)) return { ok: false, code: 'CARD_PIN_LOCKED' };
  if ((r.sw & 0xfff0) === 0x63c0) return { ok: false, code: 'CARD_PIN_WRONG', remaining: r.sw & 0x0f };
  return { ok: false, code: 'CARD_READ_FAILED' };
}

/**
 * SELECT an EF and read one BER-TLV from its start: a first READ BINARY of `firstLe` bytes gives the header
 * (long lengths `81 xx` / `82 xx xx`), then the rest in chunks of at most 255 bytes. Returns exactly the TLV.
 */
export async function readTlvEf(
  exchange: ApduExchange,
  fid: number,
  firstLe = 7,
): Promise<ApResult<{ bytes: Uint8Array }>> {
  const s = await send(exchange, selectEf(fid));
  if (!s.ok) return s;
  if (s.sw !== 0x9000) return { ok: false, code: 'CARD_READ_FAILED' };
  const head = await send(exchange, readBinary(0, firstLe));
  if (!head.ok) return head;
  if (head.sw !== 0x9000 && head.sw !== 0x6282) return { ok: false, code: 'CARD_READ_FAILED' };
  const h = readTlvHeader(head.data);
  if (!h.ok) return { ok: false, code: 'CARD_DATA_INVALID' };
  const total = h.headerLength + h.valueLength;
  if (total > MAX_EF) return { ok: false, code: 'CARD_DATA_INVALID' };
  const out = new Uint8Array(total);
  out.set(head.data.subarray(0, Math.min(total, head.data.length)));
  let got = Math.min(total, head.data.length);
  while (got < total) {
    const r = await send(exchange, readBinary(got, Math.min(255, total - got)));
    if (!r.ok) return r;
    if ((r.sw !== 0x9000 && r.sw !== 0x6282) || r.data.length === 0)
      return { ok: false, code: 'CARD_READ_FAILED' };
    const take = Math.min(r.data.length, total - got);
    out.set(r.data.subarray(0, take), got);
    got += take;
  }
  return { ok: true, bytes: out };
}
