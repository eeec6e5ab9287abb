import { describe, expect, it } from 'vitest';
import { CertificateError } from './errors.js';
import { SHC_MAX_VERSION, shcQr, vdsNcQr } from './qr.js';

const jws = (n: number) => {
  const body = 'x'.repeat(Math.max(1, n - 90));
  return `${'h'.repeat(2)}.${body}.${'s'.repeat(86)}`.slice(0, n);
};

describe('QR symbols', () => {
  it('puts a SHC JWS in one symbol of at most version 22, at the highest level that fits', () => {
    const small = shcQr(jws(500));
    expect(small.ecLevel).toBe('H');
    const big = shcQr(jws(1190));
    expect(big.ecLevel).toBe('L');
    expect(big.version).toBeLessThanOrEqual(SHC_MAX_VERSION);
  });

  it('refuses a SHC JWS beyond 1195 characters (chunking is deprecated)', () => {
    expect(() => shcQr(jws(1200))).toThrow(CertificateError);
  });

  it('never uses version 23 (jsQR 1.4.0 has its alignment patterns wrong)', () => {
    for (let n = 700; n <= 1500; n += 7) {
      expect(vdsNcQr(`{"data":"${'a'.repeat(n)}"}`).version).not.toBe(23);
    }
  });

  it('prefers level M for VDS-NC up to version 25, then level L', () => {
    expect(vdsNcQr('{"a":1}').ecLevel).toBe('M');
    const big = vdsNcQr(`{"data":"${'a'.repeat(1300)}"}`);
    expect(big.ecLevel).toBe('L');
  });
});
