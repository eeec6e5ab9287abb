import type { SerialTransport } from '../../kiosk/drivers/transport.js';
import type { SimEventLog } from '../core/events.js';
import { PjlInputParser, nameOf, type PjlInput } from './pjl-input.js';
import { renderPdf } from './pdf-tools.js';

export type PrinterFault = 'paper-out' | 'cover-open' | 'jam' | 'offline';
export type SimPrinterCondition = 'ready' | PrinterFault;

export type SimJobStatus =
  'receiving' | 'queued' | 'printing' | 'paused' | 'printed' | 'cancelled' | 'aborted' | 'invalid';

export interface SimJob {
  id: number;
  name: string;
  status: SimJobStatus;
  /** Pages in the PDF (0 until checked, or when invalid). */
  pages: number;
  pagesPrinted: number;
  receivedAt: string;
  pdf: Uint8Array | undefined;
  png: Uint8Array[];
}

/** The PJL status each condition reports (codes from the HP and Panasonic PJL references). */
export const CONDITION_STATUS: Record<
  SimPrinterCondition,
  { code: number; display: string; online: boolean }
> = {
  ready: { code: 10001, display: '00 READY', online: true },
  offline: { code: 10002, display: 'OFFLINE', online: false },
  // 41xyy foreground paper mount: x = tray 1, yy = 04 (A4 in the reference's media size table).
  'paper-out': { code: 41104, display: 'LOAD TRAY 1 A4', online: false },
  'cover-open': { code: 40021, display: '12 PRINTER OPEN', online: false },
  jam: { code: 40022, display: '13 PAPER JAM', online: false },
};

/**
 * Ready with the tray low (the near-empty sensor): the printer stays online. PJL defines no code for it; we
 * use 12x03 in the background-tray-status category (12xyy, x = tray, yy = status), as the kiosk's driver
 * expects (`paperLowFromPjlStatus`).
 */
export const PAPER_LOW_STATUS = { code: 12103, display: 'TRAY 1 LOW', online: true } as const;

/** The variable `@PJL INQUIRE` reads the tray's sheet count from (no standard PJL variable holds it). */
export const PAPER_LEVEL_VARIABLE = 'INTRAY1LEVEL';

/** Read through a function: the status changes while `#process` awaits. */
const aborted = (job: SimJob): boolean => job.status === 'aborted';

export interface SimPrinterOptions {
  /** Time to print one page. Default 300 ms. */
  pageMs?: number;
  /** Resolution of the thumbnails rendered while printing (the panel's list). Default 50 dpi. */
  dpi?: number;
  /** Resolution of the page images testers fetch, rendered on demand: as printed, so QR codes decode. Default 300. */
  pageDpi?: number;
  /** Jobs kept in memory (oldest dropped first). Default 50. */
  keepJobs?: number;
  /** Sheets a full tray holds (loaded at start and when staff clear a paper-out). Default 250. */
  trayCapacity?: number;
  /** The near-empty sensor: at this many sheets or fewer the printer reports the tray low. Default 20. */
  lowSheets?: number;
}

/**
 * A PJL printer that takes PDF, at the byte level: reads the host's stream, answers ECHO and INFO STATUS,
 * sends unsolicited DEVICE and JOB status when asked to, checks and renders every received PDF with
 * poppler, "prints" it page by page (a fault pauses it until cleared), and keeps the jobs in memory.
 */
export class SimPrinter {
  readonly #events: SimEventLog;
  readonly #pageMs: number;
  readonly #dpi: number;
  readonly #pageDpi: number;
  readonly #keep: number;
  readonly #pages = new WeakMap<SimJob, Promise<Uint8Array[] | undefined>>();
  #transport: SerialTransport | undefined;
  #offData: (() => void) | undefined;
  #parser = new PjlInputParser();
  #ustatusDevice = false;
  #ustatusJob = false;
  #condition: SimPrinterCondition = 'ready';
  readonly #capacity: number;
  readonly #lowSheets: number;
  #sheets: number;
  /** The status code last reported unsolicited, so a change of tray level is reported once. */
  #lastReported: number | undefined;
  #jobs: SimJob[] = [];
  #nextId = 1;
  #current: SimJob | undefined;
  #queue: Promise<void> = Promise.resolve();
  #wake = new Set<() => void>();
  #cancelled = new Set<SimJob>();
  #writes: Promise<void> = Promise.resolve();

  constructor(events: SimEventLog, options: SimPrinterOptions = {}) {
    this.#events = events;
    this.#pageMs = options.pageMs ?? 300;
    this.#dpi = options.dpi ?? 50;
    this.#pageDpi = options.pageDpi ?? 300;
    this.#keep = options.keepJobs ?? 50;
    this.#capacity = options.trayCapacity ?? 250;
    this.#lowSheets = options.lowSheets ?? 20;
    this.#sheets = this.#capacity;
  }

  /** Sheets in the tray now. */
  get sheets(): number {
    return this.#sheets;
  }

  get lowSheets(): number {
    return this.#lowSheets;
  }

  /**
   * Staff put `sheets` sheets in the tray (0 empties it: paper out). Loading paper clears a paper-out; the
   * printer reports its new status (low or ready) at once when unsolicited status is on.
   */
  loadPaper(sheets: number): void {
    if (!Number.isInteger(sheets) || sheets < 0 || sheets > 10_000)
      throw new TypeError('sheets: an integer 0–10000 is required');
    this.#sheets = sheets;
    this.#events.emit('printer', 'paper-loaded', { sheets });
    if (sheets === 0) this.setCondition('paper-out');
    else if (this.#condition === 'paper-out') this.setCondition('ready');
    else this.#reportIfChanged();
  }

  /**
   * Page `n` (1-based) of a job at the page resolution (300 dpi: A4 is 2480 × 3508), rendered from the job's
   * PDF on first request and kept with the job; undefined when the job has no such page or no PDF.
   */
  async pageImage(job: SimJob, n: number): Promise<Uint8Array | undefined> {
    if (job.pdf === undefined || !Number.isInteger(n) || n < 1 || n > job.png.length) return undefined;
    let pages = this.#pages.get(job);
    if (pages === undefined) {
      const pdf = job.pdf;
      pages = renderPdf(pdf, this.#pageDpi).then((r) => (r.ok ? r.png : undefined));
      this.#pages.set(job, pages);
    }
    return (await pages)?.[n - 1];
  }

  get condition(): SimPrinterCondition {
    return this.#condition;
  }

  get jobs(): readonly SimJob[] {
    return this.#jobs;
  }

  job(id: number): SimJob | undefined {
    return this.#jobs.find((j) => j.id === id);
  }

  clearJobs(): void {
    this.#jobs = this.#jobs.filter(
      (j) =>
        j.status === 'receiving' || j.status === 'queued' || j.status === 'printing' || j.status === 'paused',
    );
  }

  /** Connects the printer's end of the serial line. */
  attach(transport: SerialTransport): void {
    this.detach();
    this.#transport = transport;
    this.#parser = new PjlInputParser();
    this.#offData = transport.onData((chunk) => {
      for (const input of this.#parser.push(chunk)) this.#onInput(input);
    });
  }

  /** The cable is pulled or the power is off: unsolicited status is reset, an unfinished job is lost. */
  detach(): void {
    this.#offData?.();
    this.#offData = undefined;
    this.#transport = undefined;
    this.#ustatusDevice = false;
    this.#ustatusJob = false;
    for (const j of this.#jobs)
      if (
        j.status === 'receiving' ||
        j.status === 'queued' ||
        j.status === 'printing' ||
        j.status === 'paused'
      ) {
        j.status = 'aborted';
        this.#cancelled.add(j);
        this.#events.emit('printer', 'job-aborted', { job: j.id, pagesPrinted: j.pagesPrinted });
      }
    this.#current = undefined;
    this.#wakeAll();
  }

  /** Injects (or clears, with `ready`) a fault. A job in progress pauses until the fault is cleared. */
  setCondition(condition: SimPrinterCondition): void {
    if (condition === this.#condition) return;
    // Paper out empties the tray; staff clearing it load a full tray.
    if (condition === 'paper-out') this.#sheets = 0;
    else if (condition === 'ready' && this.#sheets === 0) this.#sheets = this.#capacity;
    this.#condition = condition;
    this.#events.emit('printer', condition === 'ready' ? 'fault-cleared' : 'fault', { condition });
    this.#reportIfChanged(true);
    this.#wakeAll();
  }

  /** The status the printer shows now: its condition, or ready with the tray low. */
  #status(): { code: number; display: string; online: boolean } {
    if (this.#condition === 'ready' && this.#sheets <= this.#lowSheets) return PAPER_LOW_STATUS;
    return CONDITION_STATUS[this.#condition];
  }

  /** Sends unsolicited DEVICE status when it is on and the status changed (or `always`). */
  #reportIfChanged(always = false): void {
    const code = this.#status().code;
    if (!always && code === this.#lastReported) return;
    this.#lastReported = code;
    if (this.#ustatusDevice) this.#sendStatus('@PJL USTATUS DEVICE');
  }

  #onInput(input: PjlInput): void {
    switch (input.type) {
      case 'uel':
        return;
      case 'too-large':
        this.#events.emit('printer', 'pdf-too-large');
        if (this.#current) this.#current.status = 'invalid';
        return;
      case 'pdf': {
        const job = this.#current ?? this.#newJob('');
        job.pdf = input.bytes;
        return;
      }
      case 'command':
        this.#onCommand(input.line);
        return;
      default: {
        const never: never = input;
        return never;
      }
    }
  }

  #onCommand(line: string): void {
    const cmd = line.replace(/\s+/g, ' ').toUpperCase();
    if (cmd.startsWith('@PJL ECHO')) {
      this.#send(`${line.replace(/\s+$/, '')}\r\n\f`);
    } else if (cmd === '@PJL INFO STATUS') {
      this.#sendStatus('@PJL INFO STATUS');
    } else if (/^@PJL D?INQUIRE [A-Z0-9]+$/.test(cmd)) {
      const variable = cmd.split(' ')[2]!;
      // The PJL answer to a variable the printer does not know is `?`.
      const value = variable === PAPER_LEVEL_VARIABLE ? String(this.#sheets) : '?';
      this.#send(`@PJL INQUIRE ${variable}\r\n${value}\r\n\f`);
    } else if (/^@PJL USTATUS DEVICE ?= ?(ON|VERBOSE)$/.test(cmd)) {
      this.#ustatusDevice = true;
      this.#lastReported = this.#status().code;
    } else if (/^@PJL USTATUS DEVICE ?= ?OFF$/.test(cmd)) {
      this.#ustatusDevice = false;
    } else if (/^@PJL USTATUS JOB ?= ?ON$/.test(cmd)) {
      this.#ustatusJob = true;
    } else if (/^@PJL USTATUS JOB ?= ?OFF$/.test(cmd)) {
      this.#ustatusJob = false;
    } else if (cmd.startsWith('@PJL JOB')) {
      // A host that gave up on a job mid-transfer may start the next one without its EOJ.
      const unfinished = this.#current;
      if (unfinished && unfinished.status === 'receiving') this.#dropReceiving(unfinished, 'aborted');
      const job = this.#newJob(nameOf(line) ?? '');
      if (this.#ustatusJob) this.#send(`@PJL USTATUS JOB\r\nSTART\r\nNAME="${job.name}"\r\n\f`);
    } else if (cmd.startsWith('@PJL EOJ')) {
      const job = this.#current;
      this.#current = undefined;
      if (job && job.status === 'receiving') {
        job.status = 'queued';
        const report = this.#ustatusJob;
        this.#queue = this.#queue.then(() => this.#process(job, report)).catch(() => undefined);
      }
    } else if (cmd.startsWith('@PJL CANCEL')) {
      const name = nameOf(line);
      const job = this.#jobs.find(
        (j) =>
          j.name === name &&
          (j.status === 'queued' ||
            j.status === 'printing' ||
            j.status === 'paused' ||
            j.status === 'receiving'),
      );
      if (job?.status === 'receiving') {
        // Not queued yet, so no print loop will see the request: the job ends here.
        this.#events.emit('printer', 'cancel-requested', { job: job.id });
        this.#dropReceiving(job, 'cancelled');
      } else if (job) {
        this.#cancelled.add(job);
        this.#events.emit('printer', 'cancel-requested', { job: job.id });
        this.#wakeAll();
      }
    } else if (cmd !== '@PJL' && !cmd.startsWith('@PJL ENTER LANGUAGE')) {
      this.#events.emit('printer', 'pjl-unsupported', {
        command: cmd.split(' ').slice(0, 2).join(' ').slice(0, 40),
      });
    }
  }

  /** Ends a job that was still being received (cancelled by the host, or abandoned for a new one). */
  #dropReceiving(job: SimJob, status: 'cancelled' | 'aborted'): void {
    if (this.#current === job) this.#current = undefined;
    job.status = status;
    job.pdf = undefined;
    this.#events.emit('printer', status === 'cancelled' ? 'job-cancelled' : 'job-aborted', {
      job: job.id,
      pagesPrinted: 0,
    });
    if (this.#ustatusJob) this.#sendJobEnd(job, status === 'cancelled' ? 'HOST_CANCELED' : 'ABORTED');
  }

  #newJob(name: string): SimJob {
    const job: SimJob = {
      id: this.#nextId++,
      name: name.slice(0, 80),
      status: 'receiving',
      pages: 0,
      pagesPrinted: 0,
      receivedAt: new Date().toISOString(),
      pdf: undefined,
      png: [],
    };
    this.#current = job;
    this.#jobs.push(job);
    while (this.#jobs.length > this.#keep) this.#jobs.shift();
    this.#events.emit('printer', 'job-received', { job: job.id });
    return job;
  }

  async #process(job: SimJob, report: boolean): Promise<void> {
    if (job.status !== 'queued') return;
    const rendered = job.pdf ? await renderPdf(job.pdf, this.#dpi) : ({ ok: false } as const);
    if (aborted(job)) {
      this.#cancelled.delete(job);
      return;
    }
    if (!rendered.ok) {
      job.status = 'invalid';
      this.#events.emit('printer', 'job-invalid', { job: job.id });
      if (report) this.#sendJobEnd(job, 'OK');
      return;
    }
    job.pages = rendered.pages;
    job.png = rendered.png;
    job.status = 'printing';
    this.#events.emit('printer', 'job-printing', { job: job.id, pages: job.pages });
    while (job.pagesPrinted < job.pages) {
      while (this.#condition !== 'ready' && !this.#cancelled.has(job)) {
        if (job.status !== 'paused') {
          job.status = 'paused';
          this.#events.emit('printer', 'job-paused', { job: job.id, condition: this.#condition });
        }
        await new Promise<void>((resolve) => this.#wake.add(resolve));
      }
      if (this.#cancelled.has(job)) break;
      if (job.status === 'paused') {
        job.status = 'printing';
        this.#events.emit('printer', 'job-resumed', { job: job.id });
      }
      await new Promise((r) => setTimeout(r, this.#pageMs));
      // A fault that came up while the page was going through: that page comes out again after the fix.
      if (this.#condition !== 'ready' || this.#cancelled.has(job)) continue;
      job.pagesPrinted++;
      this.#sheets = Math.max(0, this.#sheets - 1);
      this.#events.emit('printer', 'page-printed', {
        job: job.id,
        page: job.pagesPrinted,
        sheets: this.#sheets,
      });
      // The tray's sensor: the last sheet went through (paper out), or the tray ran low.
      if (this.#sheets === 0) this.setCondition('paper-out');
      else this.#reportIfChanged();
    }
    if (this.#cancelled.has(job)) {
      this.#cancelled.delete(job);
      if (aborted(job)) return;
      job.status = 'cancelled';
      this.#events.emit('printer', 'job-cancelled', { job: job.id, pagesPrinted: job.pagesPrinted });
      if (report) this.#sendJobEnd(job, 'HOST_CANCELED');
      return;
    }
    job.status = 'printed';
    this.#events.emit('printer', 'job-printed', { job: job.id, pages: job.pagesPrinted });
    if (report) this.#sendJobEnd(job, 'OK');
  }

  #sendJobEnd(job: SimJob, result: string): void {
    this.#send(
      `@PJL USTATUS JOB\r\nEND\r\nNAME="${job.name}"\r\nPAGES=${job.pagesPrinted}\r\nRESULT=${result}\r\n\f`,
    );
  }

  #sendStatus(head: string): void {
    const s = this.#status();
    this.#send(
      `${head}\r\nCODE=${s.code}\r\nDISPLAY="${s.display}"\r\nONLINE=${s.online ? 'TRUE' : 'FALSE'}\r\n\f`,
    );
  }

  #send(text: string): void {
    const t = this.#transport;
    if (!t) return;
    const bytes = new Uint8Array([...text].map((c) => c.charCodeAt(0) & 0x7f));
    this.#writes = this.#writes.then(() => t.write(bytes)).catch(() => undefined);
  }

  #wakeAll(): void {
    const w = [...this.#wake];
    this.#wake.clear();
    for (const f of w) f();
  }
}
