import type { PjlPrinter } from '../../drivers/printer/index.js';
import type { Done, PrinterPort } from '../flow/ports.js';

/** Pages in a PDF (page objects, `/Type /Page`, not the `/Pages` tree). */
export function pdfPageCount(pdf: Uint8Array): number {
  const text = new TextDecoder('latin1').decode(pdf);
  return (text.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

/** The flow's printer port over the PJL printer: resolves at the printer's job-end report for the job. */
export class PrinterAdapter implements PrinterPort {
  constructor(private readonly printer: Pick<PjlPrinter, 'print'>) {}

  async print(document: Uint8Array, jobName: string): Promise<Done> {
    const r = await this.printer.print(document, {
      jobName,
      expectedPages: Math.max(1, pdfPageCount(document)),
    });
    return r.ok ? { ok: true } : { ok: false, code: r.code };
  }
}
