import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCompactJws, jwsFromShcNumeric, shcNumericFromJws } from './shc-numeric.js';

describe('SHC numeric encoding', () => {
  it('matches the SMART Health Cards spec sample', () => {
    expect(shcNumericFromJws('eyJ6aXAiOiJERUYi')).toBe('56762909524320603460292437404460');
    expect(jwsFromShcNumeric('56762909524320603460292437404460')).toBe('eyJ6aXAiOiJERUYi');
  });

  it('round-trips any JWS-alphabet string', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 300 }), (chars) => {
        const s = chars.join('');
        expect(jwsFromShcNumeric(shcNumericFromJws(s))).toBe(s);
      }),
    );
  });

  it('refuses digits that are not a JWS (odd length, non-digit, out-of-alphabet pair)', () => {
    expect(jwsFromShcNumeric('123')).toBeUndefined();
    expect(jwsFromShcNumeric('12a4')).toBeUndefined();
    expect(jwsFromShcNumeric('99')).toBeUndefined(); // 99 + 45 = '\x90'
    expect(jwsFromShcNumeric('02')).toBeUndefined(); // '/' is not base64url
  });

  it('throws on a caller passing a non-JWS character', () => {
    expect(() => shcNumericFromJws('abc=')).toThrow(TypeError);
    expect(() => shcNumericFromJws(42 as unknown as string)).toThrow(TypeError);
  });

  it('recognises compact JWS shape', () => {
    expect(isCompactJws('a.b.c')).toBe(true);
    expect(isCompactJws('a.b')).toBe(false);
    expect(isCompactJws('a.b.c=')).toBe(false);
  });
});
