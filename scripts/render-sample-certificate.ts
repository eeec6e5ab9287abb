import { writeFileSync } from 'node:fs';
import { renderCertificate } from '../kiosk/core/certificate/index.js';
import { createTestIssuer, sampleAnswer } from '../kiosk/core/certificate/testing/fixtures.js';

/**
 * Writes a sample certificate for a fictional resident, signed by a throwaway test issuer, to the given
 * PDF path (default `sample-certificate.pdf`). For documentation and eyeballing the layout; the kiosk
 * itself never writes a certificate to disk.
 */
const out = process.argv[2] ?? 'sample-certificate.pdf';
const certType = process.argv[3] === 'overseas' ? 'overseas' : 'domestic';
const issuer = await createTestIssuer();
const answer = await sampleAnswer(issuer, { certType, doses: 3 });
writeFileSync(out, await renderCertificate({ answer, copies: 1 }));
console.log(`wrote ${out} (${certType})`);
