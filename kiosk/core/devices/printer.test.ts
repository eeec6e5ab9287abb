import { describe, expect, it } from 'vitest';
import { makeTestPdf } from '../../../hardware-sim/printer/test-pdf.js';
import { pdfPageCount } from './printer.js';

describe('pdfPageCount', () => {
  it.each([1, 2, 5])('counts the page objects of a %i-page PDF (not the /Pages tree)', async (n) => {
    expect(pdfPageCount(await makeTestPdf(n))).toBe(n);
  });

  it('is 0 for bytes that are not a PDF', () => {
    expect(pdfPageCount(new TextEncoder().encode('/Type /Pages only'))).toBe(0);
  });
});
