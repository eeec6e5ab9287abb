import type { PjlPrinter } from '../../drivers/printer/index.js';
import { faultCode } from '../../drivers/printer/printer-state.js';
import type { Done, PrinterPort } from '../flow/ports.js';

/** Pages in a PDF (page objects, `/Type /Page`, not the `/Pages` tree). */
export function pdfPageCount(pdf: Uint8Array): number {
  const text = new TextDecoder('latin1').decode(pdf);
  return (text.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

/**
 * The flow's printer port over the PJL printer: resolves at the printer's job-end report for the job;
 * reports the printer's faults as they happen (so the resident is told at once, not after the driver's
 * fault timeout) and its readiness before payment.
 */
export class PrinterAdapter implements PrinterPort {
  constructor(
    private readonly printer: Pick<PjlPrinter, 'print'> &
      Partial<Pick<PjlPrinter, 'state' | 'onEvent' | 'cancel'>>,
  ) {}

  async print(document: Uint8Array, jobName: string): Promise<Done> {
    const r = await this.printer.print(document, {
      jobName,
      expectedPages: Math.max(1, pdfPageCount(document)),
    });
    return r.ok ? { ok: true } : { ok: false, code: r.code };
  }

  /**
   * Ready now. PJL reports paper out, but not how many sheets are left: "enough paper for the copies" is
   * what the printer's state says (a tray running out mid-job is the fault path).
   */
  async check(_copies: number): Promise<Done> {
    const state = this.printer.state;
    if (state === undefined) return { ok: true };
    const code = faultCode(state);
    return code ? { ok: false, code } : { ok: true };
  }

  onFault(listener: (code: string | null) => void): () => void {
    if (!this.printer.onEvent) return () => undefined;
    return this.printer.onEvent((e) => {
      if (e.type === 'state') listener(faultCode(e.state));
    });
  }

  async cancel(): Promise<void> {
    await this.printer.cancel?.();
  }
}
