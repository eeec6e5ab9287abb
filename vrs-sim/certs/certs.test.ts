import { X509Certificate, randomBytes, verify as nodeVerify } from 'node:crypto';
import { get } from 'node:https';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  calculateJwkThumbprint,
  type JSONWebKeySet,
} from 'jose';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../common/db.js';
import { createDirectoryApp, startDirectory, type RunningDirectory } from '../directory.js';
import { PRODUCTS } from '../products.js';
import type { ResidentRecord } from '../record.js';
import { fixtureRecord, loadFixtures } from '../seed/fixtures.js';
import { ResidentGenerator } from '../seed/generate.js';
import { migrate } from '../storage/schema.js';
import { CertificateIssuer } from './issuer.js';
import { canonicalJson } from './jwk.js';
import { ensureTls, ensureVdsNcSigner, type TlsMaterial } from './pki.js';
import { JAPAN_PERFORMER, SHC_MAX_JWS_CHARS, SHC_QR_LEVEL } from './shc.js';
import { SigningKeys } from './signing-keys.js';

function fetchHttps(
  url: string,
  ca: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

function payloadOf(jws: string): Record<string, unknown> {
  const part = jws.split('.')[1] ?? '';
  return JSON.parse(inflateRawSync(Buffer.from(part, 'base64url')).toString('utf8')) as Record<
    string,
    unknown
  >;
}

const fixtures = loadFixtures();
const longFixture =
  fixtures.find((f) => f.id === 'longname') ??
  fixtures.reduce((a, b) => (b.name.length > a.name.length ? b : a));
const overseasFixture = fixtures.find((f) => f.passport !== undefined);

describe('certificates and the key directory', () => {
  let dir: string;
  let db: Db;
  let keys: SigningKeys;
  let tls: TlsMaterial;
  let issuer: CertificateIssuer;
  let directory: RunningDirectory;
  let iss = '';

  const jwksUrl = () => `${iss}/.well-known/jwks.json`;
  const fetchJwks = async () => JSON.parse((await fetchHttps(jwksUrl(), tls.cert)).body) as JSONWebKeySet;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vrs-certs-'));
    db = await openDb();
    await migrate(db);
    keys = new SigningKeys(join(dir, 'signing'));
    tls = await ensureTls(dir);
    issuer = new CertificateIssuer({ db, keys, vdsnc: await ensureVdsNcSigner(dir), iss: () => iss });
    directory = await startDirectory(createDirectoryApp(issuer), tls, '127.0.0.1', 0);
    iss = `https://127.0.0.1:${directory.port}/issuer`;
  });
  afterAll(async () => {
    await directory.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs an SHC that an independent library verifies against the JWKS fetched over HTTPS', async () => {
    const record = new ResidentGenerator('certs', '131016').resident(1);
    const c = await issuer.issue(record, '131016', 'domestic');
    const res = await fetchHttps(jwksUrl(), tls.cert);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const jwks = JSON.parse(res.body) as JSONWebKeySet;
    const { protectedHeader } = await compactVerify(c.shc, createLocalJWKSet(jwks));
    expect(protectedHeader).toEqual({ alg: 'ES256', zip: 'DEF', kid: c.kid });
    for (const k of jwks.keys) {
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' });
      expect(k).not.toHaveProperty('d');
      expect(k.kid).toBe(
        await calculateJwkThumbprint(
          { kty: 'EC', crv: 'P-256', x: k['x'] as string, y: k['y'] as string },
          'sha256',
        ),
      );
    }
    // A flipped payload character fails.
    const parts = c.shc.split('.');
    const p1 = parts[1] ?? '';
    const flipped = [parts[0], (p1[5] === 'A' ? 'B' : 'A') + '', parts[2]];
    const tampered = `${parts[0]}.${p1.slice(0, 5)}${flipped[1]}${p1.slice(6)}.${parts[2]}`;
    await expect(compactVerify(tampered, createLocalJWKSet(jwks))).rejects.toThrow();
  });

  it('puts a Japan-profile FHIR bundle in the payload', async () => {
    const record = new ResidentGenerator('certs', '131016').resident(2);
    const c = issuer.sign(record, '131016', 'domestic');
    const p = payloadOf(c.shc) as {
      iss: string;
      nbf: number;
      vc: {
        type: string[];
        rid: string;
        credentialSubject: {
          fhirVersion: string;
          fhirBundle: {
            resourceType: string;
            type: string;
            entry: { fullUrl: string; resource: Record<string, unknown> }[];
          };
        };
      };
    };
    expect(p.iss).toBe(iss);
    expect(p.iss).toMatch(/^https:\/\/[^/]+\/issuer$/);
    expect(Number.isInteger(p.nbf)).toBe(true);
    expect(p).not.toHaveProperty('exp');
    expect(p.vc.type).toContain('https://smarthealth.cards#health-card');
    expect(p.vc.rid).toBe(c.rid);
    expect(p.vc.rid.length).toBeLessThanOrEqual(24);
    const b = p.vc.credentialSubject.fhirBundle;
    expect(p.vc.credentialSubject.fhirVersion).toBe('4.0.1');
    expect(b).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(b.entry.map((e) => e.fullUrl)).toEqual(b.entry.map((_, i) => `resource:${i}`));
    const [patient, ...imms] = b.entry.map((e) => e.resource);
    const [family, given] = record.name.split(' ');
    expect(patient).toEqual({
      resourceType: 'Patient',
      name: [{ family, given: [given] }],
      birthDate: `${record.birthDate.slice(0, 4)}-${record.birthDate.slice(4, 6)}-${record.birthDate.slice(6)}`,
    });
    expect(imms).toHaveLength(record.doses.length);
    for (const [i, imm] of imms.entries()) {
      const d = record.doses[i];
      if (!d) throw new Error('dose expected');
      expect(imm).toEqual({
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: PRODUCTS[d.product].cvx }] },
        patient: { reference: 'resource:0' },
        occurrenceDateTime: d.date,
        lotNumber: d.lot,
        performer: [{ actor: { display: JAPAN_PERFORMER } }],
      });
    }
    const text = JSON.stringify(b);
    for (const banned of ['"id"', '"meta"', '"text"', '"display":"C']) expect(text).not.toContain(banned);
  });

  it(`fits one version-22 QR at level ${SHC_QR_LEVEL} with seven doses and the longest name`, () => {
    const record: ResidentRecord = {
      ...fixtureRecord(longFixture, 'size'),
      passport: { number: 'ZZ9999999', nationality: 'JPN', registeredAt: '2022-08-01' },
    };
    expect(record.doses).toHaveLength(7);
    for (const certType of ['domestic', 'overseas'] as const) {
      const { shc } = issuer.sign(record, '231002', certType);
      expect(shc.length).toBeLessThanOrEqual(SHC_MAX_JWS_CHARS[SHC_QR_LEVEL]);
      const digits = [...shc].map((ch) => String(ch.charCodeAt(0) - 45).padStart(2, '0')).join('');
      const qr = QRCode.create(
        [
          { data: new TextEncoder().encode('shc:/'), mode: 'byte' },
          { data: digits, mode: 'numeric' },
        ],
        { errorCorrectionLevel: SHC_QR_LEVEL },
      );
      expect(qr.version).toBeLessThanOrEqual(22);
    }
  });

  it('puts the romaji name in the overseas card, unless only that makes it too large', () => {
    if (overseasFixture === undefined) throw new Error('an overseas fixture resident is expected');
    const names = (shc: string) =>
      (
        payloadOf(shc) as {
          vc: { credentialSubject: { fhirBundle: { entry: { resource: { name?: unknown[] } }[] } } };
        }
      ).vc.credentialSubject.fhirBundle.entry[0]?.resource.name;
    const normal = fixtureRecord(overseasFixture, 'romaji');
    expect(names(issuer.sign(normal, '131130', 'overseas').shc)).toEqual([
      { family: normal.name.split(' ')[0], given: [normal.name.split(' ')[1]] },
      { family: normal.nameRomaji.split(' ')[0], given: [normal.nameRomaji.split(' ')[1]] },
    ]);
    expect(names(issuer.sign(normal, '131130', 'domestic').shc)).toHaveLength(1);
    const huge: ResidentRecord = { ...fixtureRecord(longFixture, 'size'), passport: normal.passport };
    const c = issuer.sign(huge, '231002', 'overseas');
    expect(names(c.shc)).toHaveLength(1);
    expect(c.vdsNc?.data.msg.pid.n).toBe(huge.nameRomaji);
  });

  it('refuses with VRS_CERT_TOO_LARGE a card that cannot fit at all', () => {
    const base = fixtureRecord(longFixture, 'size');
    const absurd: ResidentRecord = {
      ...base,
      name: base.name + base.name.repeat(3),
      doses: base.doses.map((d) => ({ ...d, lot: randomBytes(15).toString('base64url').slice(0, 20) })),
    };
    expect(() => issuer.sign(absurd, '231002', 'domestic')).toThrow(
      expect.objectContaining({ code: 'VRS_CERT_TOO_LARGE' }),
    );
  });

  it('signs a VDS-NC for the overseas version with an X.509 signer certificate', async () => {
    if (overseasFixture === undefined) throw new Error('an overseas fixture resident is expected');
    const record = fixtureRecord(overseasFixture, 'vds');
    const c = await issuer.issue(record, overseasFixture.municipality, 'overseas');
    const v = c.vdsNc;
    if (!v) throw new Error('VDS-NC expected');
    expect(v.data.hdr).toEqual({ t: 'icao.vacc', v: 1, is: 'JPN' });
    expect(v.data.msg.uvci).toBe(c.certificateId);
    expect(v.data.msg.pid).toMatchObject({ n: record.nameRomaji, i: record.passport?.number, nat: 'JPN' });
    expect(v.data.msg.ve.flatMap((e) => e.vd).map((d) => d.seq)).toEqual(
      record.doses.map((d) => d.seq).sort(),
    );
    const cert = new X509Certificate(Buffer.from(v.sig.cer, 'base64url'));
    const ok = nodeVerify(
      'sha256',
      Buffer.from(canonicalJson(v.data)),
      { key: cert.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(v.sig.sigvl, 'base64url'),
    );
    expect(ok).toBe(true);
    const altered = { ...v.data, msg: { ...v.data.msg, pid: { ...v.data.msg.pid, i: 'XX0000000' } } };
    expect(
      nodeVerify(
        'sha256',
        Buffer.from(canonicalJson(altered)),
        { key: cert.publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(v.sig.sigvl, 'base64url'),
      ),
    ).toBe(false);
    // The signer chains to the CSCA published on the directory.
    const csca = new X509Certificate((await fetchHttps(`${iss}/vds-nc/csca.pem`, tls.cert)).body);
    expect(cert.verify(csca.publicKey)).toBe(true);
    expect(csca.subject).toContain('C=JP');
    expect(() =>
      issuer.sign({ ...record, passport: undefined } as ResidentRecord, '131130', 'overseas'),
    ).toThrow(TypeError);
  });

  it('rotates keys: the new key signs, the old stays published and its cards still verify', async () => {
    const record = new ResidentGenerator('certs', '131016').resident(3);
    const before = issuer.sign(record, '131016', 'domestic');
    const oldKid = keys.activeKid;
    const newKid = keys.rotate();
    expect(newKid).not.toBe(oldKid);
    const after = issuer.sign(record, '131016', 'domestic');
    expect(decodeProtectedHeader(after.shc).kid).toBe(newKid);
    const jwks = await fetchJwks();
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    await compactVerify(before.shc, createLocalJWKSet(jwks));
    await compactVerify(after.shc, createLocalJWKSet(jwks));
    // A second SigningKeys over the same folder (a restart) signs with the new key and cannot sign with the old.
    const reloaded = new SigningKeys(join(dir, 'signing'));
    expect(reloaded.activeKid).toBe(newKid);
    expect(statSync(join(dir, 'signing', 'shc-keys.json')).mode & 0o777).toBe(0o600);
  });

  it('revokes by rid: the CRL of the signing key lists it and the JWKS carries crlVersion', async () => {
    const record = new ResidentGenerator('certs', '131016').resident(4);
    const c = await issuer.issue(record, '131016', 'domestic');
    const empty = JSON.parse((await fetchHttps(`${iss}/.well-known/crl/${c.kid}.json`, tls.cert)).body) as {
      rids: string[];
    };
    expect(empty.rids).not.toContain(c.rid);
    expect(await issuer.revoke(c.certificateId)).toBe(true);
    expect(await issuer.revoke(c.certificateId)).toBe(false);
    expect(await issuer.revoke('JP131016-00000000-NOSUCHCERT00')).toBe(false);
    const res = await fetchHttps(`${iss}/.well-known/crl/${c.kid}.json`, tls.cert);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const crl = JSON.parse(res.body) as { kid: string; method: string; ctr: number; rids: string[] };
    expect(crl).toMatchObject({ kid: c.kid, method: 'rid' });
    expect(crl.rids).toContain(c.rid);
    const jwk = (await fetchJwks()).keys.find((k) => k.kid === c.kid);
    expect((jwk as Record<string, unknown> | undefined)?.['crlVersion']).toBe(crl.ctr);
    expect((await fetchHttps(`${iss}/.well-known/crl/${'A'.repeat(43)}.json`, tls.cert)).status).toBe(404);
    expect((await fetchHttps(`${iss}/../etc/passwd`, tls.cert)).status).toBe(404);
  });

  it('serves only TLS: a client that does not trust the certificate is refused', async () => {
    await expect(
      new Promise((resolve, reject) => get(jwksUrl(), resolve).on('error', reject)),
    ).rejects.toThrow();
  });
});
