import { describe, expect, it } from 'vitest';
import { buildPjlCancel, buildPjlEcho, buildPjlJob, indexOfBytes, UEL } from './pjl-job.js';

const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n');
const text = (b: Uint8Array) => String.fromCharCode(...b);

describe('PJL job builder', () => {
  it('frames the PDF with UELs, turns on unsolicited status before JOB, and ends with EOJ', () => {
    const job = buildPjlJob(pdf, 'cert-1');
    const s = text(job);
    expect(s.startsWith('\x1b%-12345X@PJL\r\n@PJL USTATUS DEVICE = ON\r\n@PJL USTATUS JOB = ON\r\n')).toBe(
      true,
    );
    expect(s).toContain('@PJL JOB NAME="cert-1"\r\n@PJL ENTER LANGUAGE = PDF\r\n%PDF-1.4');
    expect(s.endsWith('%%EOF\n\x1b%-12345X@PJL\r\n@PJL EOJ NAME="cert-1"\r\n\x1b%-12345X')).toBe(true);
    expect(indexOfBytes(job, pdf)).toBeGreaterThan(0);
  });

  it('refuses bad names, non-PDF data and PDFs containing a UEL', () => {
    expect(() => buildPjlJob(pdf, 'bad"name')).toThrow(TypeError);
    expect(() => buildPjlJob(pdf, '')).toThrow(TypeError);
    expect(() => buildPjlJob(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'a')).toThrow(TypeError);
    expect(() => buildPjlJob('x' as unknown as Uint8Array, 'a')).toThrow(TypeError);
    const withUel = new Uint8Array([...pdf, ...UEL]);
    expect(() => buildPjlJob(withUel, 'a')).toThrow(TypeError);
  });

  it('builds ECHO and CANCEL blocks', () => {
    expect(text(buildPjlEcho('k1'))).toBe('\x1b%-12345X@PJL\r\n@PJL ECHO k1\r\n\x1b%-12345X');
    expect(text(buildPjlCancel('j'))).toContain('@PJL CANCEL NAME="j"');
    expect(() => buildPjlEcho('a b')).toThrow(TypeError);
  });
});
