import { isValidMyNumber } from '../mynumber.js';
import { concatBytes, encodeTlv, readTlv, readTlvList } from './tlv.js';

/** Tags of the 券面事項入力補助AP files (docs/reference.md §3.4). */
export const CARD_TAGS = {
  myNumber: 0xd0,
  basic4: 0xff20,
  basic4Offsets: 0xdf21,
  name: 0xdf22,
  address: 0xdf23,
  birthDate: 0xdf24,
  sex: 0xdf25,
  signature: 0xff30,
  myNumberDigest: 0xdf31,
  basic4Digest: 0xdf32,
  signatureValue: 0xdf33,
} as const;

/** The issuer's signature in `DF 33`: RSA-2048, so 256 bytes. */
export const ISSUER_SIGNATURE_LENGTH = 256;

/** The 基本4情報 as stored on the card. */
export interface Basic4 {
  /** UTF-8, 外字 already replaced by 代替文字. */
  name: string;
  address: string;
  /** `YYYYMMDD`. */
  birthDate: string;
  /** ISO 5218 style: `'1'` male, `'2'` female, `'9'` not applicable (others kept as read). */
  sex: string;
}

export type CardFileResult<T> = ({ ok: true } & T) | { ok: false; code: 'CARD_DATA_INVALID' };

const INVALID = { ok: false, code: 'CARD_DATA_INVALID' } as const;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const fromAscii = (b: Uint8Array): string => String.fromCharCode(...b);

function decodeUtf8(b: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(b);
  } catch {
    return undefined;
  }
}

/** EF 00 01: `D0 0C` + 12 ASCII digits. */
export function encodeMyNumberEf(myNumber: string): Uint8Array {
  if (!isValidMyNumber(myNumber)) throw new TypeError('myNumber: 12 digits with a valid check digit');
  return encodeTlv(CARD_TAGS.myNumber, ascii(myNumber));
}

/**
 * Parses EF 00 01 as read from the card (trailing bytes after the TLV, e.g. a 17-byte READ BINARY, are
 * ignored). `tlv` is the exact TLV encoding, the bytes that EF 00 03's digest covers.
 */
export function parseMyNumberEf(ef: Uint8Array): CardFileResult<{ myNumber: string; tlv: Uint8Array }> {
  const t = readTlv(ef);
  if (t === undefined || t.tag !== CARD_TAGS.myNumber || t.value.length !== 12) return INVALID;
  const myNumber = fromAscii(t.value);
  if (!isValidMyNumber(myNumber)) return INVALID;
  return { ok: true, myNumber, tlv: ef.subarray(t.start, t.end) };
}

/**
 * EF 00 02: `FF 20` { `DF 21` offsets, `DF 22` name, `DF 23` address, `DF 24` birth date, `DF 25` sex }.
 * `DF 21` holds four 16-bit big-endian offsets of the `DF 22`…`DF 25` elements inside the `FF 20` value.
 */
export function encodeBasic4Ef(data: Basic4): Uint8Array {
  if (typeof data?.name !== 'string' || data.name === '')
    throw new TypeError('data.name: a non-empty string');
  if (typeof data.address !== 'string' || data.address === '')
    throw new TypeError('data.address: a non-empty string');
  if (typeof data.birthDate !== 'string' || !/^[0-9]{8}$/.test(data.birthDate))
    throw new TypeError('data.birthDate: YYYYMMDD');
  if (typeof data.sex !== 'string' || !/^[0-9]$/.test(data.sex)) throw new TypeError('data.sex: one digit');
  const fields = [
    encodeTlv(CARD_TAGS.name, utf8.encode(data.name)),
    encodeTlv(CARD_TAGS.address, utf8.encode(data.address)),
    encodeTlv(CARD_TAGS.birthDate, ascii(data.birthDate)),
    encodeTlv(CARD_TAGS.sex, ascii(data.sex)),
  ];
  const offsetsTlvLength = 2 + 1 + 8;
  const offsets = new Uint8Array(8);
  let o = offsetsTlvLength;
  fields.forEach((f, i) => {
    offsets[i * 2] = o >> 8;
    offsets[i * 2 + 1] = o & 0xff;
    o += f.length;
  });
  return encodeTlv(CARD_TAGS.basic4, concatBytes(encodeTlv(CARD_TAGS.basic4Offsets, offsets), ...fields));
}

/** Parses EF 00 02 (trailing bytes ignored); `tlv` is the exact outer TLV, the bytes the digest covers. */
export function parseBasic4Ef(ef: Uint8Array): CardFileResult<Basic4 & { tlv: Uint8Array }> {
  const outer = readTlv(ef);
  if (outer === undefined || outer.tag !== CARD_TAGS.basic4) return INVALID;
  const items = readTlvList(outer.value);
  if (items === undefined) return INVALID;
  const seen = new Map<number, Uint8Array>();
  for (const it of items) {
    if (seen.has(it.tag)) return INVALID;
    seen.set(it.tag, it.value);
  }
  const offsets = seen.get(CARD_TAGS.basic4Offsets);
  if (offsets !== undefined && offsets.length % 2 !== 0) return INVALID;
  const nameB = seen.get(CARD_TAGS.name);
  const addressB = seen.get(CARD_TAGS.address);
  const birthB = seen.get(CARD_TAGS.birthDate);
  const sexB = seen.get(CARD_TAGS.sex);
  if (!nameB || !addressB || !birthB || !sexB) return INVALID;
  const name = decodeUtf8(nameB);
  const address = decodeUtf8(addressB);
  const birthDate = fromAscii(birthB);
  const sex = fromAscii(sexB);
  if (!name || !address || !/^[0-9]{8}$/.test(birthDate) || !/^[0-9]$/.test(sex)) return INVALID;
  return { ok: true, name, address, birthDate, sex, tlv: ef.subarray(outer.start, outer.end) };
}

/**
 * EF 00 03: `FF 30` { `DF 31` SHA-256 of EF 00 01's TLV, `DF 32` SHA-256 of EF 00 02's TLV, `DF 33` the card
 * issuer's RSA-2048 signature (RSASSA-PKCS1-v1_5, SHA-256) over the `DF 31` and `DF 32` elements as encoded }.
 */
export function encodeSignatureEf(
  myNumberDigest: Uint8Array,
  basic4Digest: Uint8Array,
  signature: Uint8Array,
) {
  return encodeTlv(
    CARD_TAGS.signature,
    concatBytes(
      encodeTlv(CARD_TAGS.myNumberDigest, myNumberDigest),
      encodeTlv(CARD_TAGS.basic4Digest, basic4Digest),
      encodeTlv(CARD_TAGS.signatureValue, signature),
    ),
  );
}

/** The bytes the issuer signs: the `DF 31` and `DF 32` elements, header included, as EF 00 03 holds them. */
export function signedPart(myNumberDigest: Uint8Array, basic4Digest: Uint8Array): Uint8Array {
  return concatBytes(
    encodeTlv(CARD_TAGS.myNumberDigest, myNumberDigest),
    encodeTlv(CARD_TAGS.basic4Digest, basic4Digest),
  );
}

export interface SignatureEf {
  myNumberDigest: Uint8Array;
  basic4Digest: Uint8Array;
  signature: Uint8Array;
  /** The bytes the issuer signed (`signedPart`): a view into the EF. */
  signed: Uint8Array;
}

export function parseSignatureEf(ef: Uint8Array): CardFileResult<SignatureEf> {
  const outer = readTlv(ef);
  if (outer === undefined || outer.tag !== CARD_TAGS.signature) return INVALID;
  const items = readTlvList(outer.value);
  if (items === undefined || items.length !== 3) return INVALID;
  const [a, b, c] = items as [(typeof items)[0], (typeof items)[0], (typeof items)[0]];
  if (a.tag !== CARD_TAGS.myNumberDigest || a.value.length !== 32) return INVALID;
  if (b.tag !== CARD_TAGS.basic4Digest || b.value.length !== 32) return INVALID;
  if (c.tag !== CARD_TAGS.signatureValue || c.value.length !== ISSUER_SIGNATURE_LENGTH) return INVALID;
  return {
    ok: true,
    myNumberDigest: a.value,
    basic4Digest: b.value,
    signature: c.value,
    signed: outer.value.subarray(a.start, b.end),
  };
}
