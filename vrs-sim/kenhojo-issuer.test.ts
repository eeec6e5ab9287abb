import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyCardData } from '../protocol/card-data.js';
import { KenhojoIssuer } from './kenhojo-issuer.js';
import { cardFilesFor, testKenhojoIssuer } from './testing/requests.js';

const holder = {
  myNumber: '990000000019',
  name: '試験 太郎',
  address: '東京都千代田区試験町一丁目2番3号',
  birthDate: '19800401',
  sex: '1',
};

describe('KenhojoIssuer: the card issuer as VRS trusts it (from its X.509 certificate)', () => {
  it('takes the certificate as PEM or DER and verifies the issuer-signed EF 00 03', async () => {
    const t = await testKenhojoIssuer();
    const files = cardFilesFor(holder, t);
    const pem = new X509Certificate(t.certificate).toString();
    for (const issuer of [KenhojoIssuer.fromCertificate(pem), KenhojoIssuer.fromCertificate(t.certificate)])
      expect(verifyCardData({ ...files, issuer })).toEqual({ ok: true, ...holder });
  });

  it('refuses data signed by another issuer, and a tampered byte of the signature', async () => {
    const t = await testKenhojoIssuer();
    const foreign = await testKenhojoIssuer({ fresh: true });
    const files = cardFilesFor(holder, foreign);
    expect(verifyCardData({ ...files, issuer: t.verifier })).toEqual({ ok: false, code: 'CARD_FORGED' });
    const own = cardFilesFor(holder, t);
    const sig = Uint8Array.from(own.signatureEf);
    sig[sig.length - 100] = sig[sig.length - 100]! ^ 0x80;
    expect(verifyCardData({ ...own, signatureEf: sig, issuer: t.verifier })).toEqual({
      ok: false,
      code: 'CARD_FORGED',
    });
  });

  it('refuses everything outside the certificate validity period', async () => {
    const t = await testKenhojoIssuer();
    const files = cardFilesFor(holder, t);
    const notAfter = Date.parse(new X509Certificate(t.certificate).validTo);
    const late = KenhojoIssuer.fromCertificate(t.certificate, { now: () => notAfter + 1000 });
    expect(verifyCardData({ ...files, issuer: late })).toEqual({ ok: false, code: 'CARD_FORGED' });
  });

  it('throws TypeError for bytes that are not an X.509 certificate', () => {
    expect(() => KenhojoIssuer.fromCertificate(new Uint8Array(10))).toThrow(TypeError);
    expect(() =>
      KenhojoIssuer.fromCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    ).toThrow(TypeError);
  });
});
