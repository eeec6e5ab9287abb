import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IssuedBody } from '../../../protocol/index.js';
import { CertificateError, renderCertificate } from './index.js';
import { arbIssuedBody } from './testing/arbitraries.js';
import { createTestIssuer, sampleAnswer } from './testing/fixtures.js';

const CODES = ['CERT_INPUT_INVALID', 'CERT_GLYPH_MISSING', 'CERT_QR_TOO_LARGE'];
let base: IssuedBody;

beforeAll(async () => {
  base = await sampleAnswer(await createTestIssuer(), { certType: 'overseas', doses: 2 });
});

describe('renderCertificate on arbitrary field text (bounded; long runs: npm run fuzz -- certificate)', () => {
  it('either prints a PDF or fails with a certificate code, never anything else', async () => {
    let printed = 0;
    await fc.assert(
      fc.asyncProperty(arbIssuedBody(base), async (answer) => {
        try {
          const pdf = await renderCertificate({ answer, copies: 1 });
          expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
          printed++;
        } catch (err) {
          expect(err).toBeInstanceOf(CertificateError);
          expect(CODES).toContain((err as CertificateError).code);
        }
      }),
      { numRuns: 12, seed: 20261127 },
    );
    expect(printed).toBeGreaterThan(0);
  });
});
