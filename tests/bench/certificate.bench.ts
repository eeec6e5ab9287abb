import { renderCertificate } from '../../kiosk/core/certificate/index.js';
import { createTestIssuer, sampleAnswer } from '../../kiosk/core/certificate/testing/fixtures.js';
import { checkCertificate } from '../support/certificate-check.js';

/**
 * Certificate figures: PDF generation time (first call, then p50/p99 warm) for the domestic and overseas
 * templates at 1 and 3 copies, PDF size, heap/RSS growth of the process, and the test verifier's time.
 * Run with `npm run bench -- certificate` (the runner passes --expose-gc).
 */
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

const issuer = await createTestIssuer();
const answers = {
  domestic: await sampleAnswer(issuer, { certType: 'domestic', doses: 3 }),
  overseas: await sampleAnswer(issuer, { certType: 'overseas', doses: 3 }),
};

gc();
const before = process.memoryUsage();
let t = performance.now();
await renderCertificate({ answer: answers.domestic, copies: 1 });
console.log(
  `first certificate (loads and unwraps BIZ UDGothic)      ${(performance.now() - t).toFixed(0).padStart(6)} ms`,
);

const RUNS = 60;
for (const kind of ['domestic', 'overseas'] as const) {
  for (const copies of [1, 3]) {
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < RUNS; i++) {
      t = performance.now();
      const pdf = await renderCertificate({ answer: answers[kind], copies });
      times.push(performance.now() - t);
      size = pdf.length;
    }
    times.sort((a, b) => a - b);
    console.log(
      `${`${kind}, ${copies} cop${copies === 1 ? 'y' : 'ies'}`.padEnd(22)} p50 ${pct(times, 0.5).toFixed(1).padStart(6)} ms  p99 ${pct(times, 0.99).toFixed(1).padStart(6)} ms  PDF ${(size / 1024).toFixed(0).padStart(4)} KiB  (${RUNS} runs)`,
    );
  }
}
gc();
const after = process.memoryUsage();
console.log(
  `memory after ${RUNS * 4 + 1} certificates: heap +${mib(after.heapUsed - before.heapUsed)}, rss +${mib(after.rss - before.rss)} (fonts cached for the process: rss ${mib(after.rss)})`,
);

const pdf = await renderCertificate({ answer: answers.overseas, copies: 1 });
t = performance.now();
const check = await checkCertificate(pdf, { jwks: issuer.jwks, vdsTrustedCas: [issuer.vdsCaPem] });
console.log(
  `test verifier, overseas page (pdftoppm 200 dpi, jsQR, ES256)  ${(performance.now() - t).toFixed(0).padStart(6)} ms  (${check.shc.length} SHC, ${check.vdsNc.length} VDS-NC)`,
);
