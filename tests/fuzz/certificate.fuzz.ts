import fc from 'fast-check';
import {
  CertificateError,
  jwsFromShcNumeric,
  renderCertificate,
} from '../../kiosk/core/certificate/index.js';
import { arbIssuedBody } from '../../kiosk/core/certificate/testing/arbitraries.js';
import { createTestIssuer, sampleAnswer } from '../../kiosk/core/certificate/testing/fixtures.js';

/**
 * Long fuzzing of the certificate renderer with arbitrary text in every printed field (any code point,
 * Japanese, long words, line breaks) and of the SHC digit decoder. Property: a PDF or a CERT_* code,
 * never another exception; the decoder never throws. `FUZZ_RUNS` sets the renderer's runs (default 400).
 */
const runs = Number(process.env['FUZZ_RUNS'] ?? 400);
const base = await sampleAnswer(await createTestIssuer(), { certType: 'overseas', doses: 2 });
const codes = new Map<string, number>();
let printed = 0;
const t = performance.now();
await fc.assert(
  fc.asyncProperty(arbIssuedBody(base), async (answer) => {
    try {
      await renderCertificate({ answer, copies: 1 });
      printed++;
    } catch (err) {
      if (!(err instanceof CertificateError) || err.code === 'CERT_RENDER_FAILED') throw err;
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
    }
  }),
  { numRuns: runs },
);
console.log(
  `renderCertificate: ${runs} inputs in ${((performance.now() - t) / 1000).toFixed(1)} s: ${printed} printed, refused ${JSON.stringify(Object.fromEntries(codes))}`,
);
fc.assert(
  fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (s) => {
    jwsFromShcNumeric(s);
  }),
  { numRuns: runs * 50 },
);
console.log(`jwsFromShcNumeric: ${runs * 50} inputs, no exception`);
