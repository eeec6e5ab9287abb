import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortTransport } from '../transports/serial.js';
import type { SerialTransport } from '../transport.js';
import { SimEventLog } from '../../../hardware-sim/core/events.js';
import { PrinterDevice } from '../../../hardware-sim/printer/device.js';
import { SimPrinter } from '../../../hardware-sim/printer/sim-printer.js';
import { makeBinaryTestPdf } from '../../../hardware-sim/printer/test-pdf.js';
import { until } from '../../../hardware-sim/testing/wait.js';
import { PjlPrinter } from './pjl-printer.js';

// The stall seen with real certificate PDFs: job 3 timed out and every later job was not answered.
describe('PjlPrinter: certificate-sized PDFs back to back under CPU load (real ptys)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'printer-stall-'));
  const events = new SimEventLog();
  const device = new PrinterDevice({ pageMs: 20, dpi: 10 });
  let burner: ChildProcess | undefined;
  let printer: PjlPrinter;
  let pdf: Uint8Array;

  beforeAll(async () => {
    burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const { printer: host } = (await device.start({
      stateDir: dir,
      portsDir: join(dir, 'ports'),
      events,
    })) as { printer: string };
    pdf = await makeBinaryTestPdf(200_000);
    printer = new PjlPrinter({
      connect: () => new SerialPortTransport({ path: host, baudRate: 115200 }),
      jobTimeoutMs: 8000,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    await printer.start();
    await printer.waitForState((s) => s === 'ready', 5000);
  });
  afterAll(async () => {
    burner?.kill('SIGKILL');
    await printer.stop();
    await device.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints six jobs of a ~200 KB PDF holding every byte value, each received byte for byte', async () => {
    expect(new Set(pdf).size).toBe(256);
    for (let i = 1; i <= 6; i++) {
      expect(await printer.print(pdf, { jobName: `stall-${i}`, expectedPages: 1 }), `job ${i}`).toEqual({
        ok: true,
        pages: 1,
      });
      const job = device.printer.jobs.at(-1)!;
      expect(job).toMatchObject({ name: `stall-${i}`, status: 'printed', pages: 1 });
      expect(Buffer.compare(Buffer.from(job.pdf!), Buffer.from(pdf)), `job ${i} bytes`).toBe(0);
    }
  }, 120_000);
});

/**
 * One end of an in-process serial line that wedges after `wedgeAfter` bytes: the rest of that write and every
 * later one never complete (a reader that stopped, a stuck driver), until the line is closed.
 */
class WedgeableLine implements SerialTransport {
  wedgeAfter = Infinity;
  #open = false;
  peer: WedgeableLine | undefined;
  readonly #data = new Set<(c: Uint8Array) => void>();
  readonly #close = new Set<(e?: Error) => void>();
  readonly #stuck = new Set<() => void>();

  get isOpen(): boolean {
    return this.#open;
  }
  async open(): Promise<void> {
    this.#open = true;
  }
  async write(data: Uint8Array): Promise<void> {
    if (!this.#open) throw Object.assign(new Error('line closed'), { code: 'DEVICE_DISCONNECTED' });
    const room = Math.max(0, this.wedgeAfter);
    const copy = data.slice(0, room);
    this.wedgeAfter -= copy.length;
    if (copy.length > 0) setImmediate(() => this.peer?.deliver(copy));
    if (copy.length < data.length)
      return new Promise((_, reject) =>
        this.#stuck.add(() => reject(Object.assign(new Error('closed'), { code: 'DEVICE_DISCONNECTED' }))),
      );
    await new Promise((r) => setImmediate(r));
  }
  deliver(chunk: Uint8Array): void {
    if (this.#open) for (const l of this.#data) l(chunk);
  }
  async close(): Promise<void> {
    this.#open = false;
    for (const f of this.#stuck) f();
    this.#stuck.clear();
    for (const l of this.#close) l();
  }
  onData(l: (c: Uint8Array) => void): () => void {
    this.#data.add(l);
    return () => this.#data.delete(l);
  }
  onClose(l: (e?: Error) => void): () => void {
    this.#close.add(l);
    return () => this.#close.delete(l);
  }
}

describe('PjlPrinter: resynchronising after a job that timed out mid-transfer', () => {
  it('answers PRINTER_TIMEOUT, then PRINTER_NOT_RESPONDING within the echo timeout, reopens the line and prints', async () => {
    const events = new SimEventLog();
    const sim = new SimPrinter(events, { pageMs: 10, dpi: 10 });
    const lines: WedgeableLine[] = [];
    const printer = new PjlPrinter({
      connect: () => {
        const host = new WedgeableLine();
        const dev = new WedgeableLine();
        host.peer = dev;
        dev.peer = host;
        void dev.open();
        sim.attach(dev);
        lines.push(host);
        return host;
      },
      echoTimeoutMs: 300,
      // The wedged job ends by this timeout; the job after it must not (the simulator's poppler check of its
      // PDF makes no progress report and takes seconds on a loaded machine: 300 ms failed there).
      jobTimeoutMs: 8000,
      backoff: { initialMs: 20, maxMs: 50 },
    });
    try {
      await printer.start();
      expect(await printer.waitForState((s) => s === 'ready', 2000)).toBe('ready');
      const pdf = await makeBinaryTestPdf(60_000);
      // The line takes the job's PJL header and 20 KB of its PDF, then nothing more.
      lines.at(-1)!.wedgeAfter = 20_000;
      expect(await printer.print(pdf, { jobName: 'wedged-1', expectedPages: 1 })).toMatchObject({
        ok: false,
        code: 'PRINTER_TIMEOUT',
      });
      // The echo is stuck behind the job in the line: answered at its timeout, not when the line frees.
      expect(await printer.print(pdf, { jobName: 'wedged-2', expectedPages: 1 })).toEqual({
        ok: false,
        code: 'PRINTER_NOT_RESPONDING',
      });
      // The driver reopened the line; the printer dropped the half-received job, and the next one prints.
      await until(() => lines.length === 2 && printer.state === 'ready', 10_000);
      expect(await printer.print(pdf, { jobName: 'after-1', expectedPages: 1 })).toEqual({
        ok: true,
        pages: 1,
      });
      expect(sim.jobs.map((j) => [j.name, j.status])).toEqual([
        ['wedged-1', 'aborted'],
        ['after-1', 'printed'],
      ]);
    } finally {
      await printer.stop();
      sim.detach();
    }
  }, 60_000);
});
