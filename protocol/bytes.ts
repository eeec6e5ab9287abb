/**
 * Byte helpers that run anywhere (no Buffer, no DOM): base64url, UTF-8, concatenation, big-endian
 * counters and constant-time comparison.
 */
import nacl from 'tweetnacl';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes as unpadded base64url (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: Uint8Array expected');
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes unpadded base64url. Returns `undefined` for anything that is not canonical base64url
 * (wrong characters, padding, impossible length, non-zero trailing bits), so a peer's bad input is a
 * result, not an exception.
 */
export function fromBase64Url(text: string): Uint8Array | undefined {
  if (typeof text !== 'string') throw new TypeError('text: string expected');
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c]! : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8; `undefined` for invalid sequences. */
export function fromUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** 8-byte big-endian encoding of a non-negative safe integer. */
export function u64be(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError('value: non-negative safe integer expected');
  const out = new Uint8Array(8);
  let v = value;
  for (let i = 7; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

/** Reads an 8-byte big-endian unsigned integer; `undefined` if it exceeds 2^53 - 1. */
export function readU64be(bytes: Uint8Array, offset: number): number | undefined {
  let v = 0;
  for (let i = 0; i < 8; i++) v = v * 256 + bytes[offset + i]!;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Constant-time equality (tweetnacl's `verify`); false when lengths differ. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  return nacl.verify(a, b);
}

/** Overwrites secret bytes with zeros. */
export function wipe(bytes: Uint8Array | undefined): void {
  bytes?.fill(0);
}

/** Throws a TypeError naming `name` unless `value` is a Uint8Array of exactly `length` bytes. */
export function requireBytes(
  value: unknown,
  length: number | undefined,
  name: string,
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: Uint8Array expected`);
  if (length !== undefined && value.length !== length)
    throw new TypeError(`${name}: ${length} bytes expected, got ${value.length}`);
}
