import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHC_PREFIX, renderCertificate, shcNumericFromJws } from '../../kiosk/core/certificate/index.js';
import {
  createTestIssuer,
  sampleAnswer,
  type TestIssuer,
} from '../../kiosk/core/certificate/testing/fixtures.js';
import {
  CertificateCheckError,
  checkCertificate,
  loadJwks,
  rasterizePdf,
  splitPngStream,
  verifyShcQr,
  verifyVdsNcQr,
} from './certificate-check.js';

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err instanceof CertificateCheckError ? err.code : `unexpected: ${String(err)}`;
  }
}

/** A loopback HTTPS server with a fresh self-signed certificate, serving `body` as JSON. */
async function jwksServer(body: unknown): Promise<{ server: Server; url: string; caPem: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a',
    name: 'CN=127.0.0.1',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END PRIVATE KEY-----\n`;
  const caPem = cert.toString('pem');
  const server = createServer({ key: keyPem, cert: caPem }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `https://127.0.0.1:${port}/issuer/.well-known/jwks.json`, caPem };
}

let issuer: TestIssuer;
let other: TestIssuer;
let served: Awaited<ReturnType<typeof jwksServer>>;

beforeAll(async () => {
  issuer = await createTestIssuer();
  other = await createTestIssuer();
  served = await jwksServer(issuer.jwks);
});

afterAll(async () => {
  await new Promise<void>((resolve) => served.server.close(() => resolve()));
});

describe('SMART Health Card QR verification', () => {
  it('verifies a genuine card and returns its FHIR bundle', async () => {
    const answer = await sampleAnswer(issuer, { certType: 'domestic', doses: 2 });
    const v = await verifyShcQr(SHC_PREFIX + shcNumericFromJws(answer.shc), issuer.jwks);
    expect(v.payload.iss).toBe(issuer.iss);
    expect(v.bundle.entry).toHaveLength(3);
  });

  it('refuses a card signed by another key, an altered payload, and digits that are not a JWS', async () => {
    const forged = await sampleAnswer(other, { certType: 'domestic' });
    expect(await codeOf(() => verifyShcQr(SHC_PREFIX + shcNumericFromJws(forged.shc), issuer.jwks))).toBe(
      'CHECK_SHC_SIGNATURE',
    );
    const genuine = await sampleAnswer(issuer, { certType: 'domestic' });
    const [h, p, s] = genuine.shc.split('.');
    const altered = `${h ?? ''}.${(p ?? '').slice(0, -2)}AA.${s ?? ''}`;
    expect(await codeOf(() => verifyShcQr(SHC_PREFIX + shcNumericFromJws(altered), issuer.jwks))).toBe(
      'CHECK_SHC_SIGNATURE',
    );
    expect(await codeOf(() => verifyShcQr(`${SHC_PREFIX}123`, issuer.jwks))).toBe('CHECK_SHC_MALFORMED');
    expect(await codeOf(() => verifyShcQr(`${SHC_PREFIX}1/2/5676`, issuer.jwks))).toBe('CHECK_SHC_MALFORMED');
  });

  it('fetches the JWKS over HTTPS from a self-signed server when given its CA, and not otherwise', async () => {
    const jwks = await loadJwks({ url: served.url, ca: served.caPem });
    expect(jwks.keys[0]?.kid).toBe(issuer.jwks.keys[0]?.kid);
    expect(await codeOf(() => loadJwks({ url: served.url }))).toBe('CHECK_JWKS_UNAVAILABLE');
    const viaOwnFetch = await loadJwks({ url: 'https://vrs.test/jwks', fetchJson: async () => issuer.jwks });
    expect(viaOwnFetch.keys).toHaveLength(1);
    expect(await codeOf(() => loadJwks({ url: 'x', fetchJson: async () => ({ nope: 1 }) }))).toBe(
      'CHECK_JWKS_UNAVAILABLE',
    );
    expect(await codeOf(() => loadJwks({ url: 'http://127.0.0.1:9/none' }))).toBe('CHECK_JWKS_UNAVAILABLE');
  });
});

describe('VDS-NC QR verification', () => {
  it('verifies the signature over canonical data and the signer chain', async () => {
    const answer = await sampleAnswer(issuer, { certType: 'overseas' });
    const v = verifyVdsNcQr(JSON.stringify(answer.vdsNc), [issuer.vdsCaPem]);
    expect((v.data.msg as { pid: { i: string } }).pid.i).toBe('TZ0000042');
    expect(v.signer.subject).toContain('Test VDS-NC signer');
  });

  it('refuses altered data, a signer from an untrusted CA, and what is not a VDS-NC', async () => {
    const answer = await sampleAnswer(issuer, { certType: 'overseas' });
    const doc = structuredClone(answer.vdsNc) as { data: { msg: { pid: { i: string } } } };
    doc.data.msg.pid.i = 'TZ9999999';
    expect(await codeOf(() => verifyVdsNcQr(JSON.stringify(doc)))).toBe('CHECK_VDS_SIGNATURE');
    const foreign = await sampleAnswer(other, { certType: 'overseas' });
    expect(await codeOf(() => verifyVdsNcQr(JSON.stringify(foreign.vdsNc), [issuer.vdsCaPem]))).toBe(
      'CHECK_VDS_UNTRUSTED',
    );
    expect(await codeOf(() => verifyVdsNcQr('{"data":1}'))).toBe('CHECK_VDS_MALFORMED');
    expect(await codeOf(() => verifyVdsNcQr('not json'))).toBe('CHECK_VDS_MALFORMED');
  });
});

describe('checkCertificate on page images', () => {
  it('reads the pages as PNGs (as the printer simulator delivers them) and splits a PNG stream', async () => {
    const answer = await sampleAnswer(issuer, { certType: 'overseas', doses: 2 });
    const pdf = await renderCertificate({ answer, copies: 2 });
    const pngs = await rasterizePdf(pdf, 200);
    expect(pngs).toHaveLength(2);
    expect(splitPngStream(Buffer.concat(pngs.map((p) => Buffer.from(p))))).toHaveLength(2);
    const check = await checkCertificate(
      { pngs },
      { jwks: { url: served.url, ca: served.caPem }, vdsTrustedCas: [issuer.vdsCaPem] },
    );
    expect(check.shc).toHaveLength(2);
    expect(check.vdsNc).toHaveLength(2);
  });

  it('fails with a code on a page without QR codes, and on a certificate from another issuer', async () => {
    const answer = await sampleAnswer(other, { certType: 'domestic' });
    const pdf = await renderCertificate({ answer, copies: 1 });
    expect(await codeOf(() => checkCertificate(pdf, { jwks: issuer.jwks }))).toBe('CHECK_SHC_SIGNATURE');
    const [png] = await rasterizePdf(pdf, 50); // 50 dpi: modules of 1.2 px, nothing decodes
    expect(
      await codeOf(() => checkCertificate({ pngs: [png ?? new Uint8Array()] }, { jwks: issuer.jwks })),
    ).toMatch(/^CHECK_(NO_QR|QR_UNREADABLE)$/);
    expect(await codeOf(() => rasterizePdf(new TextEncoder().encode('not a pdf')))).toBe(
      'CHECK_RASTER_FAILED',
    );
  });
});
