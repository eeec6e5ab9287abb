/**
 * The My Number (個人番号) check digit, as defined in 行政手続における特定の個人を識別するための番号の利用等に
 * 関する法律施行令 第八条 (総務省令): for the first 11 digits, let Pn be the n-th digit counted from the right
 * (n = 1…11) and Qn = n + 1 for n ≤ 6, n − 5 for n ≥ 7. With r = (Σ Pn × Qn) mod 11, the check digit is
 * 0 when r ≤ 1, else 11 − r.
 *
 * @example
 * myNumberCheckDigit('12345678901'); // → 8
 * isValidMyNumber('123456789018'); // → true
 */
export function myNumberCheckDigit(first11: string): number {
  if (typeof first11 !== 'string' || !/^[0-9]{11}$/.test(first11))
    throw new TypeError('first11: exactly 11 ASCII digits are required');
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = first11.charCodeAt(11 - n) - 0x30;
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

/** True when `value` is 12 ASCII digits whose last digit is the check digit of the first 11. */
export function isValidMyNumber(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[0-9]{12}$/.test(value)) return false;
  return myNumberCheckDigit(value.slice(0, 11)) === value.charCodeAt(11) - 0x30;
}
