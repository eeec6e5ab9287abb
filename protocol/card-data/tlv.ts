/**
 * BER-TLV as the My Number card's 券面事項入力補助AP uses it (docs/reference.md §3.4): tags of one byte, or of
 * several bytes when the low five bits of the first are all set (high-tag form, e.g. `DF 21`, `FF 20`);
 * lengths in short form (< 0x80) or long form `81 xx`, `82 xx xx`.
 */

export interface Tlv {
  /** The tag as a number: `0xD0`, `0xDF21`, `0xFF20`. */
  tag: number;
  /** The value bytes (a view into the input). */
  value: Uint8Array;
  /** Offset of the first header byte in the input. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

export type TlvHeader =
  | { ok: true; tag: number; headerLength: number; valueLength: number }
  | { ok: false; code: 'TLV_NEED_MORE' | 'TLV_MALFORMED' };

/** Reads a tag and length at `offset`; tells whether more bytes are needed to know the total size. */
export function readTlvHeader(bytes: Uint8Array, offset = 0): TlvHeader {
  let i = offset;
  const first = bytes[i++];
  if (first === undefined) return { ok: false, code: 'TLV_NEED_MORE' };
  // 00 is padding (unwritten EF space), never a tag.
  if (first === 0x00) return { ok: false, code: 'TLV_MALFORMED' };
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    for (let n = 0; ; n++) {
      const b = bytes[i++];
      if (b === undefined) return { ok: false, code: 'TLV_NEED_MORE' };
      tag = tag * 256 + b;
      if ((b & 0x80) === 0) break;
      if (n >= 1) return { ok: false, code: 'TLV_MALFORMED' };
    }
  }
  const l0 = bytes[i++];
  if (l0 === undefined) return { ok: false, code: 'TLV_NEED_MORE' };
  let valueLength: number;
  if (l0 < 0x80) valueLength = l0;
  else if (l0 === 0x81 || l0 === 0x82) {
    const n = l0 & 0x7f;
    valueLength = 0;
    for (let k = 0; k < n; k++) {
      const b = bytes[i++];
      if (b === undefined) return { ok: false, code: 'TLV_NEED_MORE' };
      valueLength = valueLength * 256 + b;
    }
    if (l0 === 0x81 && valueLength < 0x80) return { ok: false, code: 'TLV_MALFORMED' };
    if (l0 === 0x82 && valueLength < 0x100) return { ok: false, code: 'TLV_MALFORMED' };
  } else return { ok: false, code: 'TLV_MALFORMED' };
  return { ok: true, tag, headerLength: i - offset, valueLength };
}

/** Parses one TLV at `offset`; `undefined` when it is malformed or truncated. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv | undefined {
  const h = readTlvHeader(bytes, offset);
  if (!h.ok) return undefined;
  const valueStart = offset + h.headerLength;
  const end = valueStart + h.valueLength;
  if (end > bytes.length) return undefined;
  return { tag: h.tag, value: bytes.subarray(valueStart, end), start: offset, end };
}

/** Parses a sequence of TLVs filling `bytes` exactly; `undefined` if anything is left over or malformed. */
export function readTlvList(bytes: Uint8Array): Tlv[] | undefined {
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const t = readTlv(bytes, offset);
    if (t === undefined) return undefined;
    out.push(t);
    offset = t.end;
  }
  return out;
}

function tagBytes(tag: number): number[] {
  if (!Number.isInteger(tag) || tag <= 0 || tag > 0xffffff) throw new TypeError('tag: 1 to 3 bytes');
  const out: number[] = [];
  let t = tag;
  while (t > 0) {
    out.unshift(t & 0xff);
    t = Math.floor(t / 256);
  }
  return out;
}

/** Encodes one TLV with the shortest length form (up to `82 xx xx`, 65535 bytes). */
export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError('value: a Uint8Array is required');
  const n = value.length;
  if (n > 0xffff) throw new RangeError('value: at most 65535 bytes');
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  const head = [...tagBytes(tag), ...len];
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(value, head.length);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
