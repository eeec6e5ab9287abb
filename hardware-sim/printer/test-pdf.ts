import PDFDocument from 'pdfkit';

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
