import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { SerialPortTransport } from '../transports/serial.js';
import { SimEventLog } from '../../../hardware-sim/core/events.js';
import { PrinterDevice } from '../../../hardware-sim/printer/device.js';
import { makeTestPdf } from '../../../hardware-sim/printer/test-pdf.js';
import { nextEvent, until } from '../../../hardware-sim/testing/wait.js';
import { PjlPrinter, type PjlPrinterOptions } from './pjl-printer.js';

const REAL = process.env['KIOSK_TEST_PRINTER'];

function driver(path: string, extra: Partial<PjlPrinterOptions> = {}): PjlPrinter {
  return new PjlPrinter({
    connect: () => new SerialPortTransport({ path, baudRate: 115200 }),
    echoTimeoutMs: 3000,
    backoff: { initialMs: 50, maxMs: 200 },
    ...extra,
  });
}

describe('PjlPrinter against the simulated printer (real ptys, real poppler)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'printer-'));
  const events = new SimEventLog();
  const device = new PrinterDevice({ pageMs: 80, dpi: 20 });
  let host = '';
  let printer: PjlPrinter;
  let pdf2: Uint8Array;
  let pdf3: Uint8Array;

  beforeAll(async () => {
    ({ printer: host } = (await device.start({ stateDir: dir, portsDir: join(dir, 'ports'), events })) as {
      printer: string;
    });
    pdf2 = await makeTestPdf(2);
    pdf3 = await makeTestPdf(3);
    printer = driver(host);
    await printer.start();
    await printer.waitForState((s) => s === 'ready', 5000);
  });
  afterAll(async () => {
    await printer.stop();
    await device.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a PDF and reports success only with the job-end page count; the sim renders every page', async () => {
    expect(printer.state).toBe('ready');
    const seen: string[] = [];
    const off = printer.onEvent((e) => seen.push(e.type));
    const result = await printer.print(pdf2, { jobName: 'cert-1', expectedPages: 2 });
    off();
    expect(result).toEqual({ ok: true, pages: 2 });
    expect(seen).toEqual(['job-started', 'job-ended']);
    const job = device.printer.jobs.at(-1)!;
    expect(job).toMatchObject({ name: 'cert-1', status: 'printed', pages: 2, pagesPrinted: 2 });
    expect(job.png).toHaveLength(2);
    const png = PNG.sync.read(Buffer.from(job.png[0]!));
    expect(png.height).toBeGreaterThan(png.width); // A4 portrait
  });

  it('refuses to start a job while a fault is reported, and prints again once cleared', async () => {
    const before = device.printer.jobs.length;
    device.printer.setCondition('paper-out');
    await printer.waitForState((s) => s === 'paper-out', 5000);
    expect(await printer.print(pdf2, { jobName: 'cert-2', expectedPages: 2 })).toEqual({
      ok: false,
      code: 'PRINTER_PAPER_OUT',
    });
    expect(device.printer.jobs.length).toBe(before);
    device.printer.setCondition('ready');
    await printer.waitForState((s) => s === 'ready', 5000);
    expect(await printer.print(pdf2, { jobName: 'cert-2', expectedPages: 2 })).toEqual({
      ok: true,
      pages: 2,
    });
  });

  it('pauses a job on a jam mid-job and resumes it when cleared (never reported before the end)', async () => {
    const printing = nextEvent(events, (e) => e.event === 'page-printed');
    let settled = false;
    const job = printer.print(pdf3, { jobName: 'cert-3', expectedPages: 3 }).finally(() => (settled = true));
    await printing;
    const paused = nextEvent(events, (e) => e.event === 'job-paused');
    device.printer.setCondition('jam');
    await paused;
    await printer.waitForState((s) => s === 'jam', 5000);
    expect(settled).toBe(false);
    expect(device.printer.jobs.at(-1)!.pagesPrinted).toBeLessThan(3);
    const resumed = nextEvent(events, (e) => e.event === 'job-resumed');
    device.printer.setCondition('ready');
    await resumed;
    expect(await job).toEqual({ ok: true, pages: 3 });
  });

  it('reports a job failed (not printed) when a fault is not cleared in time; the printer cancels it', async () => {
    const impatient = driver(host, { faultTimeoutMs: 300 });
    await printer.stop();
    await impatient.start();
    await impatient.waitForState((s) => s === 'ready', 5000);
    const printing = nextEvent(events, (e) => e.event === 'job-printing');
    const job = impatient.print(pdf3, { jobName: 'cert-4', expectedPages: 3 });
    await printing;
    device.printer.setCondition('cover-open');
    const result = await job;
    expect(result).toMatchObject({ ok: false, code: 'PRINTER_COVER_OPEN' });
    await until(() => device.printer.jobs.at(-1)!.status === 'cancelled');
    device.printer.setCondition('ready');
    await impatient.stop();
    await printer.start();
    await printer.waitForState((s) => s === 'ready', 5000);
  });

  it('cancels a running job on request (paused by a fault, so the cancel surely lands mid-job)', async () => {
    const printing = nextEvent(events, (e) => e.event === 'job-printing');
    const job = printer.print(pdf3, { jobName: 'cert-5', expectedPages: 3 });
    await printing;
    device.printer.setCondition('offline');
    await printer.waitForState((s) => s === 'offline', 5000);
    await printer.cancel();
    expect(await job).toMatchObject({ ok: false, code: 'PRINTER_JOB_CANCELLED' });
    expect(device.printer.jobs.at(-1)!.status).toBe('cancelled');
    device.printer.setCondition('ready');
    await printer.waitForState((s) => s === 'ready', 5000);
  });

  it('reports a page-count mismatch and an unreadable PDF as incomplete', async () => {
    expect(await printer.print(pdf2, { jobName: 'cert-6', expectedPages: 3 })).toEqual({
      ok: false,
      code: 'PRINTER_JOB_INCOMPLETE',
      pages: 2,
    });
    const broken = new TextEncoder().encode('%PDF-1.4\nthis is not a pdf\n%%EOF\n');
    expect(await printer.print(broken, { jobName: 'cert-7', expectedPages: 1 })).toEqual({
      ok: false,
      code: 'PRINTER_JOB_INCOMPLETE',
      pages: 0,
    });
    expect(device.printer.jobs.at(-1)!.status).toBe('invalid');
  });

  it('throws on bad arguments and on a second concurrent job', async () => {
    await expect(printer.print(pdf2, { jobName: 'bad name', expectedPages: 2 })).rejects.toThrow(TypeError);
    await expect(printer.print(pdf2, { jobName: 'a', expectedPages: 0 })).rejects.toThrow(TypeError);
    await expect(printer.print(new Uint8Array(10), { jobName: 'a', expectedPages: 1 })).rejects.toThrow(
      TypeError,
    );
    const first = printer.print(pdf2, { jobName: 'cert-8', expectedPages: 2 });
    await expect(printer.print(pdf2, { jobName: 'cert-9', expectedPages: 2 })).rejects.toMatchObject({
      code: 'PRINTER_BUSY',
    });
    expect(await first).toEqual({ ok: true, pages: 2 });
  });

  it('reports PRINTER_GONE when the cable is pulled mid-job, and reconnects when it comes back', async () => {
    const printing = nextEvent(events, (e) => e.event === 'job-printing');
    const job = printer.print(pdf3, { jobName: 'cert-10', expectedPages: 3 });
    await printing;
    await device.unplug();
    expect(await job).toEqual({ ok: false, code: 'PRINTER_GONE' });
    expect(printer.state).toBe('gone');
    expect(await printer.print(pdf2, { jobName: 'cert-11', expectedPages: 2 })).toEqual({
      ok: false,
      code: 'PRINTER_GONE',
    });
    await device.plug();
    expect(await printer.waitForState((s) => s === 'ready', 10_000)).toBe('ready');
    expect(await printer.print(pdf2, { jobName: 'cert-12', expectedPages: 2 })).toEqual({
      ok: true,
      pages: 2,
    });
  });
});

describe.skipIf(!REAL)(
  `PjlPrinter against a real printer (${REAL ? REAL : 'skipped: set KIOSK_TEST_PRINTER=/dev/ttyACM0 to run'})`,
  () => {
    it('prints one page and confirms it with the job-end report', async () => {
      const p = driver(REAL!, { echoTimeoutMs: 5000 });
      await p.start();
      expect(await p.waitForState((s) => s !== 'gone', 10_000)).toBe('ready');
      expect(await p.print(await makeTestPdf(1), { jobName: 'kiosk-test', expectedPages: 1 })).toEqual({
        ok: true,
        pages: 1,
      });
      await p.stop();
    }, 120_000);
  },
);
