import PDFDocument from 'pdfkit';
import { CertificateError } from './errors.js';
import { parseCertificateInput } from './input.js';
import { drawCertificatePage, type PageCodes } from './page.js';
import { shcQr, vdsNcQr } from './qr.js';

/** Fixed document metadata: nothing about the resident goes into the PDF's info dictionary. */
const INFO = {
  Title: 'Vaccination Certificate for COVID-19',
  Author: 'Minister of Health, Labour and Welfare of Japan',
  Creator: 'vaccine-cert-kiosk',
  Producer: 'vaccine-cert-kiosk',
} as const;

/**
 * Renders the certificate as an A4 PDF, in memory only (nothing is written to disk).
 *
 * The template (domestic, or overseas and domestic) comes from `answer.certType`, never from the kiosk's
 * display language. `copies` identical pages make one print job (the printer reports the page count).
 *
 * @example
 *   const pdf = await renderCertificate({ answer, copies: 2 }); // Uint8Array, 2 pages
 * @throws CertificateError with code CERT_INPUT_INVALID (a field is missing, malformed or too long to
 *   print), CERT_GLYPH_MISSING (a character BIZ UDGothic cannot draw), CERT_QR_TOO_LARGE (a code does not
 *   fit one QR symbol) or CERT_RENDER_FAILED (anything else, with the cause attached).
 */
export async function renderCertificate(input: unknown): Promise<Uint8Array> {
  const { answer, copies } = parseCertificateInput(input);
  const codes: PageCodes =
    answer.certType === 'overseas' && answer.vdsNc !== undefined
      ? { shc: shcQr(answer.shc), vdsNc: vdsNcQr(JSON.stringify(answer.vdsNc)) }
      : { shc: shcQr(answer.shc) };

  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    compress: true,
    info: { ...INFO },
  });
  const chunks: Uint8Array[] = [];
  const finished = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    doc.on('end', () => resolve(concat(chunks)));
    doc.on('error', (err: unknown) => reject(err));
  });
  try {
    for (let i = 0; i < copies; i++) {
      doc.addPage({ size: 'A4', margin: 0 });
      drawCertificatePage(doc, answer, codes);
    }
    doc.end();
    return await finished;
  } catch (err) {
    if (err instanceof CertificateError) throw err;
    throw new CertificateError('CERT_RENDER_FAILED', 'certificate rendering failed', { cause: err });
  } finally {
    chunks.length = 0;
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
