/**
 * SMART Health Card numeric QR encoding (SHC spec, "Encoding QRs"): each character c of the compact JWS
 * becomes the two decimal digits of `ord(c) - 45`. A compact JWS holds only base64url characters and '.',
 * all between '-' (45) and 'z' (122), so every pair is 00–77.
 *
 * @example
 *   shcNumericFromJws('eyJ6aXAiOiJERUYi') === '56762909524320603460292437404460'
 */
export const SHC_PREFIX = 'shc:/';

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** True when `value` looks like a compact JWS (three base64url parts). */
export function isCompactJws(value: string): boolean {
  return JWS_COMPACT.test(value);
}

/** @throws TypeError when `jws` holds a character outside base64url and '.'. */
export function shcNumericFromJws(jws: string): string {
  if (typeof jws !== 'string') throw new TypeError('shcNumericFromJws: jws must be a string');
  let out = '';
  for (let i = 0; i < jws.length; i++) {
    const c = jws.charCodeAt(i);
    if (!/[A-Za-z0-9_.-]/.test(jws[i] ?? '')) {
      throw new TypeError(`shcNumericFromJws: jws has a character outside base64url at index ${i}`);
    }
    const n = c - 45;
    out += n < 10 ? `0${n}` : String(n);
  }
  return out;
}

/**
 * Turns the digits after `shc:/` back into the JWS. Returns `undefined` for an odd number of digits, a
 * non-digit, or a pair that is not a JWS character (a peer's QR code is untrusted input).
 */
export function jwsFromShcNumeric(digits: string): string | undefined {
  if (digits.length % 2 !== 0 || !/^\d*$/.test(digits)) return undefined;
  let out = '';
  for (let i = 0; i < digits.length; i += 2) {
    const ch = String.fromCharCode(Number(digits.slice(i, i + 2)) + 45);
    if (!/[A-Za-z0-9_.-]/.test(ch)) return undefined;
    out += ch;
  }
  return out;
}
