import type { Hono } from 'hono';
import { z } from 'zod';
import { SerialPortTransport } from '../../kiosk/drivers/transports/serial.js';
import { SimApiError, type SimContext, type SimDevice } from '../core/device.js';
import { VirtualSerialPair } from '../core/pty.js';
import { parseBody } from '../panel/parse-body.js';
import { SimPrinter, type SimJob, type SimPrinterOptions } from './sim-printer.js';

const FaultBody = z.object({ kind: z.enum(['paper-out', 'cover-open', 'jam', 'offline', 'clear']) });
const PaperBody = z.object({ sheets: z.number().int().min(0).max(10_000) });

/** A job as the panel API shows it: no PDF bytes, URLs instead. */
export function jobView(j: SimJob) {
  return {
    id: j.id,
    name: j.name,
    status: j.status,
    pages: j.pages,
    pagesPrinted: j.pagesPrinted,
    receivedAt: j.receivedAt,
    pdf: j.pdf ? `/api/printer/jobs/${j.id}/pdf` : null,
    /** Each page as printed (300 dpi, rendered on first request): the QR codes decode from these. */
    pageImages: j.png.map((_, i) => `/api/printer/jobs/${j.id}/pages/${i + 1}.png`),
    /** Small previews (50 dpi) for the panel's list. */
    thumbnails: j.png.map((_, i) => `/api/printer/jobs/${j.id}/thumbnails/${i + 1}.png`),
  };
}

/** The certificate printer on a virtual serial line (`printer` in the `npm run sim` JSON line). */
export class PrinterDevice implements SimDevice {
  readonly id = 'printer';
  #pair: VirtualSerialPair | undefined;
  #transport: SerialPortTransport | undefined;
  #printer: SimPrinter | undefined;
  readonly #options: SimPrinterOptions;

  constructor(options: SimPrinterOptions = {}) {
    this.#options = options;
  }

  get printer(): SimPrinter {
    if (!this.#printer) throw new SimApiError('SIM_NOT_STARTED', 'printer not started', 503);
    return this.#printer;
  }

  async start(ctx: SimContext): Promise<Record<string, string>> {
    this.#printer = new SimPrinter(ctx.events, this.#options);
    this.#pair = new VirtualSerialPair(ctx.portsDir, 'printer');
    await this.plug();
    return { printer: this.#pair.hostPath };
  }

  get plugged(): boolean {
    return this.#pair?.plugged ?? false;
  }

  async plug(): Promise<void> {
    const pair = this.#pair;
    if (!pair || pair.plugged) return;
    await pair.plug();
    const t = new SerialPortTransport({ path: pair.devicePath, baudRate: 115200 });
    await t.open();
    this.#transport = t;
    this.printer.attach(t);
  }

  async unplug(): Promise<void> {
    this.#printer?.detach();
    await this.#transport?.close().catch(() => undefined);
    this.#transport = undefined;
    await this.#pair?.unplug();
  }

  routes(app: Hono): void {
    app.get('/api/printer/jobs', (c) => c.json(this.printer.jobs.map(jobView)));
    app.delete('/api/printer/jobs', (c) => {
      this.printer.clearJobs();
      return c.json({ ok: true });
    });
    app.get('/api/printer/jobs/:id/pdf', (c) => {
      const job = this.#job(c.req.param('id'));
      if (!job.pdf) throw new SimApiError('SIM_NOT_FOUND', 'this job has no PDF', 404);
      return c.body(new Uint8Array(job.pdf), 200, {
        'content-type': 'application/pdf',
        'cache-control': 'no-store',
      });
    });
    app.get('/api/printer/jobs/:id/thumbnails/:file', (c) => {
      const job = this.#job(c.req.param('id'));
      const m = /^(\d{1,4})\.png$/.exec(c.req.param('file'));
      const png = m ? job.png[Number(m[1]) - 1] : undefined;
      if (!png) throw new SimApiError('SIM_NOT_FOUND', 'no such page', 404);
      return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    });
    app.get('/api/printer/jobs/:id/pages/:file', async (c) => {
      const job = this.#job(c.req.param('id'));
      const m = /^(\d{1,4})\.png$/.exec(c.req.param('file'));
      const png = m ? await this.printer.pageImage(job, Number(m[1])) : undefined;
      if (!png) throw new SimApiError('SIM_NOT_FOUND', 'no such page', 404);
      return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    });
    app.post('/api/printer/fault', async (c) => {
      const { kind } = await parseBody(c, FaultBody);
      this.printer.setCondition(kind === 'clear' ? 'ready' : kind);
      return c.json({ ok: true, condition: this.printer.condition });
    });
    /** Staff load the tray with `sheets` sheets (0 = empty: paper out); at or below the low mark it reports low. */
    app.post('/api/printer/paper', async (c) => {
      const { sheets } = await parseBody(c, PaperBody);
      this.printer.loadPaper(sheets);
      return c.json({ ok: true, sheets: this.printer.sheets, condition: this.printer.condition });
    });
    app.post('/api/printer/unplug', async (c) => {
      await this.unplug();
      return c.json({ ok: true, plugged: false });
    });
    app.post('/api/printer/plug', async (c) => {
      await this.plug();
      return c.json({ ok: true, plugged: true });
    });
  }

  #job(idParam: string): SimJob {
    const job = /^\d{1,9}$/.test(idParam) ? this.printer.job(Number(idParam)) : undefined;
    if (!job) throw new SimApiError('SIM_NOT_FOUND', 'no such job', 404);
    return job;
  }

  state(): Record<string, unknown> {
    return {
      plugged: this.plugged,
      condition: this.#printer?.condition ?? 'ready',
      sheets: this.#printer?.sheets ?? null,
      lowSheets: this.#printer?.lowSheets ?? null,
      jobs: this.#printer?.jobs.length ?? 0,
    };
  }

  async stop(): Promise<void> {
    await this.unplug();
  }
}
