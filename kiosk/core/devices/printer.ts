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
      Partial<Pick<PjlPrinter, 'state' | 'onEvent' | 'cancel' | 'paper' | 'paperLowSheets' | 'sheetsLeft'>>,
  ) {}

  async print(document: Uint8Array, jobName: string): Promise<Done> {
    const r = await this.printer.print(document, {
      jobName,
      expectedPages: Math.max(1, pdfPageCount(document)),
    });
    return r.ok ? { ok: true } : { ok: false, code: r.code };
  }

  /**
   * Ready now, with paper for `copies` one-page copies. While the tray is not reported low it holds more
   * than the sensor's sheets, so only a low tray (or more copies than that) asks the printer how many
   * sheets are left (its count, or the driver's estimate): fewer than the copies is `PRINTER_PAPER_SHORT`.
   * A tray that runs out mid-job anyway (a wrong estimate, a misfeed) is the fault path.
   */
  async check(copies: number): Promise<Done> {
    const state = this.printer.state;
    if (state === undefined) return { ok: true };
    const code = faultCode(state);
    if (code) return { ok: false, code };
    const p = this.printer;
    if (p.sheetsLeft === undefined) return { ok: true };
    if (p.paper !== 'low' && copies <= (p.paperLowSheets ?? 0)) return { ok: true };
    const left = await p.sheetsLeft();
    return left !== undefined && left < copies ? { ok: false, code: 'PRINTER_PAPER_SHORT' } : { ok: true };
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
