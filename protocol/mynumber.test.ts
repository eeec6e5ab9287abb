import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isValidMyNumber, myNumberCheckDigit } from './mynumber.js';

describe('My Number check digit', () => {
  it('matches the published example 1234 5678 9018', () => {
    expect(myNumberCheckDigit('12345678901')).toBe(8);
    expect(isValidMyNumber('123456789018')).toBe(true);
  });

  it('refuses every other last digit', () => {
    for (let d = 0; d <= 9; d++) expect(isValidMyNumber(`12345678901${d}`)).toBe(d === 8);
  });

  it('maps remainders 0 and 1 to check digit 0', () => {
    // 00000000000 → sum 0 → r 0 → 0; 00000000010 → P2=1, Q2=3 → r 3 → 8; 10000000000 → P11=1, Q11=6 → 5
    expect(myNumberCheckDigit('00000000000')).toBe(0);
    expect(myNumberCheckDigit('00000000010')).toBe(8);
    expect(myNumberCheckDigit('10000000000')).toBe(5);
  });

  it('accepts exactly one check digit for any 11 digits (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{11}$/), (s) => {
        const valid = [...'0123456789'].filter((d) => isValidMyNumber(s + d));
        expect(valid).toEqual([String(myNumberCheckDigit(s))]);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects non-strings and wrong shapes', () => {
    expect(isValidMyNumber(123456789018)).toBe(false);
    expect(isValidMyNumber('12345678901')).toBe(false);
    expect(isValidMyNumber('１２３４５６７８９０１８')).toBe(false);
    expect(() => myNumberCheckDigit('123')).toThrow(TypeError);
    expect(() => myNumberCheckDigit(12345678901 as unknown as string)).toThrow(TypeError);
  });
});
