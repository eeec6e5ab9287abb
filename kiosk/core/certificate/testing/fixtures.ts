import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import * as x509 from '@peculiar/x509';
import { calculateJwkThumbprint, exportJWK, type JSONWebKeySet } from 'jose';
import type { CertType, Dose, IssuedBody } from '../../../../protocol/index.js';

/**
 * Test issuer for certificates: a P-256 SHC key (with its JWKS) and a VDS-NC signer certificate issued by a
 * test CA. Everything is generated in memory per test run; all residents are fictional.
 */
export interface TestIssuer {
  readonly iss: string;
  readonly jwks: JSONWebKeySet;
  /** PEM of the CA that issued the VDS-NC signer certificate. */
  readonly vdsCaPem: string;
  signShc(payload: Record<string, unknown>): Promise<string>;
  signVdsNc(data: Record<string, unknown>): Promise<Record<string, unknown>>;
}

const b64u = (b: Uint8Array | ArrayBuffer | string) =>
  Buffer.from(typeof b === 'string' ? b : b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString(
    'base64url',
  );

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ES256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** RFC 8785 canonical JSON (the same rule as the VRS stand-in and `tests/support/certificate-check.ts`). */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export async function createTestIssuer(iss = 'https://vrs.test/issuer'): Promise<TestIssuer> {
  x509.cryptoProvider.set(globalThis.crypto);
  const shcKeys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const pub = await exportJWK(shcKeys.publicKey);
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y }, 'sha256');
  const jwks: JSONWebKeySet = {
    keys: [{ kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y, kid, use: 'sig', alg: 'ES256' }],
  };

  const notBefore = new Date(Date.now() - 86_400_000);
  const notAfter = new Date(Date.now() + 365 * 86_400_000);
  const caKeys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Test VDS-NC CSCA, C=JP',
    notBefore,
    notAfter,
    signingAlgorithm: ES256,
    keys: caKeys,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  const signerKeys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const signer = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=Test VDS-NC signer, C=JP',
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ES256,
    publicKey: signerKeys.publicKey,
    signingKey: caKeys.privateKey,
  });
  const cer = b64u(signer.rawData);

  return {
    iss,
    jwks,
    vdsCaPem: ca.toString('pem'),
    async signShc(payload) {
      const header = b64u(JSON.stringify({ zip: 'DEF', alg: 'ES256', kid }));
      const body = b64u(deflateRawSync(Buffer.from(JSON.stringify(payload))));
      const sig = await webcrypto.subtle.sign(ES256, shcKeys.privateKey, Buffer.from(`${header}.${body}`));
      return `${header}.${body}.${b64u(sig)}`;
    },
    async signVdsNc(data) {
      const sig = await webcrypto.subtle.sign(ES256, signerKeys.privateKey, Buffer.from(canonical(data)));
      return { data, sig: { alg: 'ES256', cer, sigvl: b64u(sig) } };
    },
  };
}

export interface SampleOptions {
  readonly certType: CertType;
  readonly doses?: number;
  readonly name?: string;
  readonly nameRomaji?: string;
}

const PRODUCTS = [
  ['ファイザー社', 'Pfizer', 'コミナティ', 'Comirnaty', '208'],
  ['モデルナ社', 'Moderna', 'スパイクバックス', 'Spikevax', '207'],
  ['ファイザー社', 'Pfizer', 'コミナティ(BA.4-5)', 'Comirnaty (BA.4-5)', '300'],
  ['武田(ノババックス)社', 'Takeda (Novavax)', 'ヌバキソビッド', 'Nuvaxovid', '211'],
] as const;

/** Doses 1…n, dated a few months apart, cycling through real product names with fictional lots. */
export function sampleDoses(n: number): Dose[] {
  return Array.from({ length: n }, (_, i) => {
    const p = PRODUCTS[i % PRODUCTS.length] ?? PRODUCTS[0];
    const month = String(((i * 3) % 12) + 1).padStart(2, '0');
    return {
      seq: i + 1,
      date: `${2021 + Math.floor((i * 3) / 12)}-${month}-15`,
      vaccineType: 'COVID-19 mRNA',
      manufacturer: p[0],
      manufacturerEn: p[1],
      product: p[2],
      productEn: p[3],
      lot: `TEST${String(1000 + i)}`,
      cvx: p[4],
      country: 'JPN',
    };
  });
}

/** An issued answer for a fictional resident, with a real SHC JWS (and VDS-NC on the overseas version). */
export async function sampleAnswer(issuer: TestIssuer, options: SampleOptions): Promise<IssuedBody> {
  const name = options.name ?? '試験 太郎';
  const nameRomaji = options.nameRomaji ?? 'SHIKEN TARO';
  const birthDate = '1980-04-01';
  const doses = sampleDoses(options.doses ?? 3);
  const [family = '', ...given] = name.split(' ');
  const names: Record<string, unknown>[] = [{ use: 'usual', family, given }];
  if (options.certType === 'overseas') {
    const [rf = '', ...rg] = nameRomaji.split(' ');
    names.push({ use: 'official', family: rf, given: rg });
  }
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      { fullUrl: 'resource:0', resource: { resourceType: 'Patient', name: names, birthDate } },
      ...doses.map((d, i) => ({
        fullUrl: `resource:${i + 1}`,
        resource: {
          resourceType: 'Immunization',
          status: 'completed',
          vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: d.cvx }] },
          patient: { reference: 'resource:0' },
          occurrenceDateTime: d.date,
          lotNumber: d.lot,
          performer: [{ actor: { display: 'MHLW_Gov_of_JAPAN' } }],
        },
      })),
    ],
  };
  const shc = await issuer.signShc({
    iss: issuer.iss,
    nbf: 1_764_201_600,
    vc: {
      type: ['https://smarthealth.cards#health-card', 'https://smarthealth.cards#immunization'],
      credentialSubject: { fhirVersion: '4.0.1', fhirBundle: bundle },
    },
  });
  const base: IssuedBody = {
    outcome: 'issued',
    certificateId: 'JP13101600000042',
    issuedAt: '2026-11-27',
    certType: options.certType,
    municipality: { code: '131016', name: '千代田区', nameEn: 'Chiyoda City', prefecture: '東京都' },
    issuer: { ja: '東京都千代田区長', en: 'Mayor of Chiyoda City, Tokyo' },
    person: { name, birthDate },
    doses,
    shc,
  };
  if (options.certType === 'domestic') return base;
  const vdsNc = await issuer.signVdsNc({
    hdr: { t: 'icao.vacc', v: 1, is: 'JPN' },
    msg: {
      uvci: base.certificateId,
      pid: { n: nameRomaji, dob: birthDate, i: 'TZ0000042' },
      ve: [
        {
          des: 'XM68M6',
          nam: doses[0]?.productEn ?? 'Comirnaty',
          dis: 'RA01.0',
          vd: doses.map((d) => ({
            dvc: d.date,
            seq: d.seq,
            ctr: d.country,
            adm: 'MHLW_Gov_of_Japan',
            lot: d.lot,
          })),
        },
      ],
    },
  });
  return {
    ...base,
    person: { ...base.person, nameRomaji, nationality: '日本 / JAPAN', passportNumber: 'TZ0000042' },
    vdsNc,
  };
}
