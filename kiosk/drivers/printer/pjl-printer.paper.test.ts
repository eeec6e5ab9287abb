import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortTransport } from '../transports/serial.js';
import { SimEventLog } from '../../../hardware-sim/core/events.js';
import { PrinterDevice } from '../../../hardware-sim/printer/device.js';
import { makeTestPdf } from '../../../hardware-sim/printer/test-pdf.js';
import { PrinterAdapter } from '../../core/devices/printer.js';
import { PjlPrinter, type PjlPrinterOptions, type PrinterEvent } from './pjl-printer.js';

/** Resolves at the driver's first event matching `pred`. */
function nextPrinterEvent(p: PjlPrinter, pred: (e: PrinterEvent) => boolean): Promise<PrinterEvent> {
  return new Promise((resolve) => {
    const off = p.onEvent((e) => {
      if (!pred(e)) return;
      off();
      resolve(e);
    });
  });
}

/**
 * The paper level over a real serial line (socat ptys) to the simulated printer: its tray runs down a
 * sheet a page, reports itself low (12103, online) at its sensor's mark and out (41104) when empty, and
 * answers `@PJL INQUIRE INTRAY1LEVEL` with its sheet count.
 */
describe('PjlPrinter paper level against the simulated printer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'printer-paper-'));
  const events = new SimEventLog();
  const device = new PrinterDevice({ pageMs: 20, dpi: 10, trayCapacity: 50, lowSheets: 5 });
  let host = '';
  const drivers: PjlPrinter[] = [];
  let pdf1: Uint8Array;
  let pdf2: Uint8Array;

  async function driver(extra: Partial<PjlPrinterOptions> = {}): Promise<PjlPrinter> {
    const p = new PjlPrinter({
      connect: () => new SerialPortTransport({ path: host, baudRate: 115200 }),
      echoTimeoutMs: 5000,
      backoff: { initialMs: 50, maxMs: 200 },
      paperLowSheets: 5,
      ...extra,
    });
    drivers.push(p);
    await p.start();
    await p.waitForState((s) => s !== 'gone' && s !== 'offline', 10_000);
    return p;
  }

  beforeAll(async () => {
    ({ printer: host } = (await device.start({ stateDir: dir, portsDir: join(dir, 'ports'), events })) as {
      printer: string;
    });
    [pdf1, pdf2] = await Promise.all([makeTestPdf(1), makeTestPdf(2)]);
  });
  afterAll(async () => {
    for (const d of drivers) await d.stop();
    await device.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the count, sees the tray go low, refuses copies the tray cannot hold, and sees it run out', async () => {
    const printer = await driver();
    const adapter = new PrinterAdapter(printer);
    expect(printer.paper).toBe('ok');
    expect(await printer.sheetsLeft()).toBe(50);
    expect(await adapter.check(2)).toEqual({ ok: true });

    // Staff leave 3 sheets: the sensor trips and the printer says so at once (unsolicited status).
    const low = nextPrinterEvent(printer, (e) => e.type === 'paper' && e.low);
    device.printer.loadPaper(3);
    await low;
    expect(printer.state).toBe('ready');
    expect(printer.paper).toBe('low');
    expect(await printer.sheetsLeft()).toBe(3);

    // Two pages take two sheets: one left, so two copies do not fit and one does.
    expect(await printer.print(pdf2, { jobName: 'paper-1', expectedPages: 2 })).toEqual({
      ok: true,
      pages: 2,
    });
    expect(await printer.sheetsLeft()).toBe(1);
    expect(await adapter.check(2)).toEqual({ ok: false, code: 'PRINTER_PAPER_SHORT' });
    expect(await adapter.check(1)).toEqual({ ok: true });

    // The last sheet goes through: the tray is empty, the printer stops for paper.
    const out = printer.waitForState((s) => s === 'paper-out', 10_000);
    expect(await printer.print(pdf1, { jobName: 'paper-2', expectedPages: 1 })).toEqual({
      ok: true,
      pages: 1,
    });
    expect(await out).toBe('paper-out');
    expect(printer.paper).toBe('out');
    expect(await printer.sheetsLeft()).toBe(0);
    expect(await adapter.check(1)).toEqual({ ok: false, code: 'PRINTER_PAPER_OUT' });

    // A full load: ready, not low.
    const ready = printer.waitForState((s) => s === 'ready', 10_000);
    device.printer.loadPaper(50);
    expect(await ready).toBe('ready');
    expect(printer.paper).toBe('ok');
    await printer.stop();
  });

  it('estimates from the sensor when the printer cannot count (INQUIRE answered "?")', async () => {
    const printer = await driver({ paperLevelVariable: 'NOSUCHLEVEL' });
    const adapter = new PrinterAdapter(printer);
    // Not low, no count: more sheets than the sensor's mark, so copies up to it are taken as fitting.
    expect(await printer.sheetsLeft()).toBeUndefined();
    expect(await adapter.check(5)).toEqual({ ok: true });

    const low = nextPrinterEvent(printer, (e) => e.type === 'paper' && e.low);
    device.printer.loadPaper(5);
    await low;
    // Reported low: the sensor's 5 sheets, less what was printed since.
    expect(await printer.sheetsLeft()).toBe(5);
    expect(await printer.print(pdf2, { jobName: 'paper-3', expectedPages: 2 })).toEqual({
      ok: true,
      pages: 2,
    });
    expect(await printer.sheetsLeft()).toBe(3);
    expect(await adapter.check(4)).toEqual({ ok: false, code: 'PRINTER_PAPER_SHORT' });
    expect(await adapter.check(3)).toEqual({ ok: true });
    await printer.stop();
  });
});
