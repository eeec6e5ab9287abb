import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildPjlJob } from '../../kiosk/drivers/printer/pjl-job.js';
import { PjlInputParser } from './pjl-input.js';
import { makeBinaryTestPdf } from './test-pdf.js';

const pdf = new Uint8Array([
  ...new TextEncoder().encode('%PDF-1.4\n'),
  0x1b,
  0x25,
  0x2d,
  0x31,
  0x00,
  0xff,
  ...new TextEncoder().encode('\n%%EOF\n'),
]);

function summarize(parser: PjlInputParser, chunks: Uint8Array[]) {
  return chunks
    .flatMap((c) => parser.push(c))
    .map((i) => (i.type === 'pdf' ? { type: 'pdf', bytes: [...i.bytes] } : i));
}

describe('simulated printer: PJL input stream', () => {
  const job = buildPjlJob(pdf, 'cert-1');
  const expected = summarize(new PjlInputParser(), [job]);

  it('splits a job into commands and the exact PDF bytes (even a UEL prefix inside the PDF)', () => {
    expect(expected.filter((e) => e.type === 'command').map((e) => (e as { line: string }).line)).toEqual([
      '@PJL',
      '@PJL USTATUS DEVICE = ON',
      '@PJL USTATUS JOB = ON',
      '@PJL JOB NAME="cert-1"',
      '@PJL ENTER LANGUAGE = PDF',
      '@PJL',
      '@PJL EOJ NAME="cert-1"',
    ]);
    expect(expected.find((e) => e.type === 'pdf')).toEqual({ type: 'pdf', bytes: [...pdf] });
  });

  it('gives the same result for any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: job.length }), { maxLength: 20 }), (cuts) => {
        const points = [...new Set([0, ...cuts, job.length])].sort((a, b) => a - b);
        const chunks = points.slice(1).map((end, i) => job.subarray(points[i]!, end));
        expect(summarize(new PjlInputParser(), chunks)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('finds the end of a certificate-sized PDF holding every byte value, whatever cuts the end UEL', async () => {
    const big = await makeBinaryTestPdf(200_000);
    const bigJob = buildPjlJob(big, 'cert-big');
    const end = bigJob.length - 9 * 2 - '@PJL\r\n@PJL EOJ NAME="cert-big"\r\n'.length;
    for (let cut = end - 4; cut <= end + 12; cut++) {
      const parser = new PjlInputParser();
      // Also cut the PDF itself into pty-sized reads (4095 bytes), as the simulator receives it.
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < cut; at += 4095) chunks.push(bigJob.subarray(at, Math.min(cut, at + 4095)));
      chunks.push(bigJob.subarray(cut));
      const out = chunks.flatMap((c) => parser.push(c));
      const pdfs = out.filter((i) => i.type === 'pdf');
      expect(pdfs, `cut at ${cut}`).toHaveLength(1);
      expect(Buffer.compare(Buffer.from(pdfs[0]!.bytes), Buffer.from(big)), `cut at ${cut}`).toBe(0);
      expect(out.filter((i) => i.type === 'command').at(-1)).toEqual({
        type: 'command',
        line: '@PJL EOJ NAME="cert-big"',
      });
    }
  });

  it('refuses a PDF larger than the limit', () => {
    const p = new PjlInputParser(4);
    expect(p.push(job).some((i) => i.type === 'too-large')).toBe(true);
  });
});
