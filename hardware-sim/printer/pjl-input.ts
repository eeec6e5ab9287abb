import { UEL, indexOfBytes } from '../../kiosk/drivers/printer/pjl-job.js';

/** What the simulated printer's PJL interpreter sees in the host's byte stream. */
export type PjlInput =
  | { type: 'uel' }
  | { type: 'command'; line: string }
  | { type: 'pdf'; bytes: Uint8Array }
  | { type: 'too-large' };

/** Longest PJL line the simulator accepts; PDFs larger than `maxPdf` bytes are refused. */
const MAX_LINE = 1024;

/**
 * The printer side of a PJL stream: `@PJL` lines until `ENTER LANGUAGE = PDF`, then PDF bytes until the
 * next UEL. Fed arbitrary chunks (a UEL may be split across them).
 */
export class PjlInputParser {
  #mode: 'pjl' | 'pdf' | 'skip-pdf' = 'pjl';
  #buf = new Uint8Array(0);
  #pdfParts: Uint8Array[] = [];
  #pdfLength = 0;

  constructor(private readonly maxPdf = 32 * 1024 * 1024) {}

  push(chunk: Uint8Array): PjlInput[] {
    const out: PjlInput[] = [];
    const merged = new Uint8Array(this.#buf.length + chunk.length);
    merged.set(this.#buf);
    merged.set(chunk, this.#buf.length);
    let data = merged;
    for (;;) {
      if (this.#mode !== 'pjl') {
        const at = indexOfBytes(data, UEL);
        if (at === -1) {
          // Keep a possible partial UEL at the end; the rest is PDF data.
          const keep = Math.min(data.length, UEL.length - 1);
          this.#addPdf(data.subarray(0, data.length - keep), out);
          this.#buf = data.slice(data.length - keep);
          return out;
        }
        this.#addPdf(data.subarray(0, at), out);
        if (this.#mode === 'pdf') {
          const bytes = new Uint8Array(this.#pdfLength);
          let p = 0;
          for (const part of this.#pdfParts) {
            bytes.set(part, p);
            p += part.length;
          }
          out.push({ type: 'pdf', bytes });
        }
        this.#pdfParts = [];
        this.#pdfLength = 0;
        this.#mode = 'pjl';
        out.push({ type: 'uel' });
        data = data.subarray(at + UEL.length);
        continue;
      }
      if (data.length === 0) break;
      if (data[0] === 0x1b) {
        const n = Math.min(data.length, UEL.length);
        if (indexOfBytes(data.subarray(0, n), UEL.subarray(0, n)) === 0) {
          if (n < UEL.length) break; // wait for the rest of the UEL
          out.push({ type: 'uel' });
          data = data.subarray(UEL.length);
          continue;
        }
      }
      const lf = data.indexOf(0x0a);
      if (lf === -1) {
        if (data.length > MAX_LINE) data = new Uint8Array(0);
        break;
      }
      const line = String.fromCharCode(...data.subarray(0, Math.min(lf, MAX_LINE)))
        .replace(/\r$/, '')
        .trim();
      data = data.subarray(lf + 1);
      if (!line.startsWith('@PJL')) continue;
      out.push({ type: 'command', line });
      if (/^@PJL\s+ENTER\s+LANGUAGE\s*=\s*PDF$/i.test(line)) this.#mode = 'pdf';
    }
    this.#buf = data.slice();
    return out;
  }

  #addPdf(part: Uint8Array, out: PjlInput[]): void {
    if (this.#mode !== 'pdf' || part.length === 0) return;
    this.#pdfLength += part.length;
    if (this.#pdfLength > this.maxPdf) {
      this.#mode = 'skip-pdf';
      this.#pdfParts = [];
      out.push({ type: 'too-large' });
      return;
    }
    this.#pdfParts.push(part.slice());
  }
}

/** Parses `NAME="x"` / `NAME = "x"` out of a PJL command line. */
export function nameOf(line: string): string | undefined {
  return /NAME\s*=\s*"([^"]*)"/i.exec(line)?.[1];
}
