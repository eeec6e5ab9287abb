import PDFDocument from 'pdfkit';
import { PNG } from 'pngjs';

/** A small fictional A4 PDF with `pages` pages (for tests, benchmarks and the panel's demo). */
export async function makeTestPdf(pages: number, title = 'TEST PAGE'): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'A4', autoFirstPage: false, compress: true });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  for (let i = 1; i <= pages; i++) {
    doc.addPage();
    doc.fontSize(28).text(`${title} ${i}/${pages}`, 72, 72);
    doc.rect(72, 140, 200, 120).stroke();
  }
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * A one-page A4 PDF about as large as a real certificate (`approxBytes`, default 200 KB) whose image stream
 * is seeded noise, so the file holds every byte value 0x00–0xFF (XON/XOFF, ^C, ^Z, CR, ESC, 0x7F, high bit)
 * like a certificate with embedded fonts does. Never contains a UEL. Deterministic for a given `seed`.
 */
export async function makeBinaryTestPdf(approxBytes = 200_000, seed = 1): Promise<Uint8Array> {
  const side = Math.max(16, Math.round(Math.sqrt(approxBytes / 3)));
  let s = seed >>> 0 || 1;
  const png = new PNG({ width: side, height: side, colorType: 2, inputHasAlpha: false });
  for (let i = 0; i < png.data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    png.data[i] = (i & 3) === 3 ? 0xff : s & 0xff;
  }
  const image = PNG.sync.write(png, { colorType: 2 });
  const doc = new PDFDocument({ size: 'A4', autoFirstPage: false, compress: true });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.addPage();
  doc.fontSize(20).text('TEST CERTIFICATE (BINARY)', 72, 72);
  doc.image(image, 72, 140, { width: 300 });
  doc.end();
  await done;
  const pdf = new Uint8Array(Buffer.concat(chunks));
  const seen = new Set(pdf);
  if (seen.size !== 256 || Buffer.from(pdf).includes('\x1b%-12345X'))
    return makeBinaryTestPdf(approxBytes, seed + 1);
  return pdf;
}
