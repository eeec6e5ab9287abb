import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IssuedBody } from '../../../protocol/index.js';
import {
  checkCertificate,
  decodePng,
  findQrCodes,
  rasterizePdf,
} from '../../../tests/support/certificate-check.js';
import { CertificateError, QR_SIZE_MM, renderCertificate } from './index.js';
import { createTestIssuer, sampleAnswer, type TestIssuer } from './testing/fixtures.js';

/** Text of a PDF through poppler's pdftotext (stdin → stdout): proves glyphs are embedded with ToUnicode. */
function pdfText(pdf: Uint8Array): string {
  const r = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf });
  if (r.status !== 0) throw new Error(`pdftotext exited with ${String(r.status)}`);
  return r.stdout.toString('utf8');
}

function pdfInfo(pdf: Uint8Array): Record<string, string> {
  const r = spawnSync('pdfinfo', ['-'], { input: pdf });
  const out: Record<string, string> = {};
  for (const line of r.stdout.toString('utf8').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

function pdfFonts(pdf: Uint8Array): string {
  return spawnSync('pdffonts', ['-'], { input: pdf }).stdout.toString('utf8');
}

async function codeOf(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err instanceof CertificateError ? err.code : `not a CertificateError: ${String(err)}`;
  }
}

let issuer: TestIssuer;
let domestic: IssuedBody;
let overseas: IssuedBody;

beforeAll(async () => {
  issuer = await createTestIssuer();
  domestic = await sampleAnswer(issuer, { certType: 'domestic', doses: 3 });
  overseas = await sampleAnswer(issuer, { certType: 'overseas', doses: 4 });
});

describe('renderCertificate: domestic (日本国内用)', () => {
  it('is a one-page A4 PDF with BIZ UDGothic embedded, bilingual labels and the name in Japanese only', async () => {
    const pdf = await renderCertificate({ answer: domestic, copies: 1 });
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    const info = pdfInfo(pdf);
    expect(info['Pages']).toBe('1');
    expect(info['Page size']).toMatch(/^595\.2\d* x 841\.8\d* pts \(A4\)/);
    expect(pdfFonts(pdf)).toMatch(/BIZUDGothic-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes/);
    const text = pdfText(pdf);
    for (const s of [
      '新型コロナウイルス感染症予防接種証明書',
      'Vaccination Certificate for COVID-19',
      '日本国内用',
      '試験 太郎',
      '生年月日',
      'Date of birth',
      '接種記録',
      'コミナティ',
      'Comirnaty',
      'TEST1000',
      '東京都千代田区長',
      '日本国厚生労働大臣',
      'Minister of Health, Labour and Welfare of Japan',
      'JP13101600000042',
      '2026年11月27日',
    ]) {
      expect(text).toContain(s);
    }
    expect(text).not.toContain('SHIKEN'); // no romaji name on the domestic version
    expect(text).not.toContain('旅券番号');
  });

  it('carries exactly one QR code, a SMART Health Card that verifies against the issuer JWKS', async () => {
    const pdf = await renderCertificate({ answer: domestic, copies: 1 });
    const check = await checkCertificate(pdf, { jwks: issuer.jwks });
    expect(check.pages).toHaveLength(1);
    expect(check.vdsNc).toHaveLength(0);
    expect(check.shc).toHaveLength(1);
    expect(check.shc[0]?.jws).toBe(domestic.shc);
    const patient = check.shc[0]?.bundle.entry[0] as {
      resource: { name: { family: string }[]; birthDate: string };
    };
    expect(patient.resource.name[0]?.family).toBe('試験');
    expect(patient.resource.birthDate).toBe('1980-04-01');
  });

  it('prints the QR code at least 40 mm wide', async () => {
    const dpi = 200;
    const [png] = await rasterizePdf(await renderCertificate({ answer: domestic, copies: 1 }), dpi);
    const image = decodePng(png ?? new Uint8Array());
    expect(findQrCodes(image).codes).toHaveLength(1);
    // Measure the printed symbol: the dark bounding box inside the QR area (bottom-left of the page).
    const mm = dpi / 25.4;
    let [minX, maxX] = [Infinity, -Infinity];
    const y = Math.round((297 - 11 - 12 - QR_SIZE_MM / 2) * mm);
    for (let x = 0; x < Math.round(100 * mm); x++) {
      const i = (y * image.width + x) * 4;
      if ((image.data[i] ?? 255) < 80) [minX, maxX] = [Math.min(minX, x), Math.max(maxX, x)];
    }
    expect((maxX - minX) / mm).toBeGreaterThanOrEqual(40);
  });
});

describe('renderCertificate: overseas (海外用及び日本国内用)', () => {
  it('adds the romaji name, nationality and passport number, and the country of each dose', async () => {
    const text = pdfText(await renderCertificate({ answer: overseas, copies: 1 }));
    for (const s of [
      '海外用及び日本国内用',
      '試験 太郎',
      'SHIKEN TARO',
      '国籍・地域',
      '日本 / JAPAN',
      '旅券番号',
      'TZ0000042',
      '接種国',
      'JPN',
    ]) {
      expect(text).toContain(s);
    }
  });

  it('prints N copies as N identical pages, each with a verifying VDS-NC and SHC', async () => {
    const pdf = await renderCertificate({ answer: overseas, copies: 2 });
    expect(pdfInfo(pdf)['Pages']).toBe('2');
    const check = await checkCertificate(pdf, { jwks: issuer.jwks, vdsTrustedCas: [issuer.vdsCaPem] });
    for (const page of check.pages) {
      expect(page.shc.map((s) => s.jws)).toEqual([overseas.shc]);
      expect(page.vdsNc).toHaveLength(1);
      expect(page.vdsNc[0]?.data).toEqual((overseas.vdsNc as { data: unknown }).data);
    }
  });

  it('lays out the longest name the schema allows, seven doses and rare kanji (髙﨑) from the font slices', async () => {
    const name = `髙﨑 ${'寿限無'.repeat(41)}`.slice(0, 128);
    const answer = await sampleAnswer(issuer, {
      certType: 'overseas',
      doses: 7,
      name,
      nameRomaji: 'TAKASAKI ' + 'JUGEMU'.repeat(19),
    });
    const pdf = await renderCertificate({ answer, copies: 1 });
    expect(pdfText(pdf)).toContain('髙﨑');
    const check = await checkCertificate(pdf, { jwks: issuer.jwks, vdsTrustedCas: [issuer.vdsCaPem] });
    expect(check.shc).toHaveLength(1);
    expect(check.vdsNc).toHaveLength(1);
  });
});

describe('renderCertificate: bad input gets a coded error that names no personal data', () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    ['not an object', () => renderCertificate('nope'), 'CERT_INPUT_INVALID'],
    ['zero copies', () => renderCertificate({ answer: domestic, copies: 0 }), 'CERT_INPUT_INVALID'],
    ['eleven copies', () => renderCertificate({ answer: domestic, copies: 11 }), 'CERT_INPUT_INVALID'],
    [
      'a no-record answer',
      () => renderCertificate({ answer: { outcome: 'no-record' }, copies: 1 }),
      'CERT_INPUT_INVALID',
    ],
    [
      'overseas without passport',
      () =>
        renderCertificate({
          answer: { ...overseas, person: { ...overseas.person, passportNumber: undefined } },
          copies: 1,
        }),
      'CERT_INPUT_INVALID',
    ],
    [
      'overseas without VDS-NC',
      () => renderCertificate({ answer: { ...overseas, vdsNc: undefined }, copies: 1 }),
      'CERT_INPUT_INVALID',
    ],
    [
      'a birth date that is no day',
      () =>
        renderCertificate({
          answer: { ...domestic, person: { ...domestic.person, birthDate: '1980-02-30' } },
          copies: 1,
        }),
      'CERT_INPUT_INVALID',
    ],
    [
      'shc not a JWS',
      () => renderCertificate({ answer: { ...domestic, shc: 'not a jws' }, copies: 1 }),
      'CERT_INPUT_INVALID',
    ],
    [
      'shc beyond one version-22 QR',
      () =>
        renderCertificate({
          answer: { ...domestic, shc: `${'a'.repeat(600)}.${'b'.repeat(600)}.${'c'.repeat(86)}` },
          copies: 1,
        }),
      'CERT_QR_TOO_LARGE',
    ],
    [
      'a character no font has',
      () =>
        renderCertificate({
          answer: { ...domestic, person: { ...domestic.person, name: '試験 \u{1F600}' } },
          copies: 1,
        }),
      'CERT_GLYPH_MISSING',
    ],
  ];
  it.each(cases)('%s', async (_label, fn, code) => {
    expect(await codeOf(fn)).toBe(code);
  });

  it('never puts a field value into the error message', async () => {
    const secret = '架空 秘密子\u{1F600}';
    try {
      await renderCertificate({
        answer: { ...domestic, person: { ...domestic.person, name: secret } },
        copies: 1,
      });
      expect.unreachable();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('秘密');
      expect(String((err as Error).message)).toContain('person.name');
    }
  });
});
