import type { SerialTransport, SerialTransportFactory } from '../transport.js';
import type { Logger } from '../../../common/log.js';
import { coded } from '../../../protocol/errors/index.js';
import { assertJobName, buildPjlCancel, buildPjlCommands, buildPjlEcho, buildPjlJob } from './pjl-job.js';
import { PjlStatusDecoder, type PjlMessage } from './pjl-status.js';
import {
  faultCode,
  paperLowFromPjlStatus,
  stateFromPjlStatus,
  type PaperLevel,
  type PrinterFaultCode,
  type PrinterState,
} from './printer-state.js';

export interface PjlPrinterOptions {
  /** Makes a fresh transport for each (re)connection, e.g. `() => new SerialPortTransport({ path, baudRate })`. */
  connect: SerialTransportFactory;
  /** How long to wait for an ECHO or INFO STATUS answer. Default 3 s. */
  echoTimeoutMs?: number;
  /** How long a job may make no progress while the printer is ready. Default 120 s. */
  jobTimeoutMs?: number;
  /** How long a fault during a job may last before the job is cancelled and reported failed. Default 300 s. */
  faultTimeoutMs?: number;
  /**
   * Sheets left in the tray when its near-empty sensor trips (a property of the model). Used to estimate
   * the sheets left when the printer cannot tell the count itself. Default 20.
   */
  paperLowSheets?: number;
  /**
   * The PJL variable `@PJL INQUIRE` asks for the tray's sheet count. No standard PJL variable holds it (the
   * reference's INTRAYxSIZE gives only the paper size); a printer that does not know the variable answers
   * `?` and the driver falls back to the estimate. Default `INTRAY1LEVEL` (our simulator's).
   */
  paperLevelVariable?: string;
  /** Reconnect backoff: first delay and cap. Default 250 ms doubling to 5 s. */
  backoff?: { initialMs?: number; maxMs?: number };
  logger?: Logger;
}

export type PrintFailureCode =
  | PrinterFaultCode
  | 'PRINTER_NOT_RESPONDING'
  | 'PRINTER_TIMEOUT'
  | 'PRINTER_JOB_CANCELLED'
  | 'PRINTER_JOB_INCOMPLETE';

export type PrintResult = { ok: true; pages: number } | { ok: false; code: PrintFailureCode; pages?: number };

export type PrinterEvent =
  | { type: 'state'; state: PrinterState; previous: PrinterState }
  /** The tray was reported low, or no longer low (the `paper` getter tells the level as a whole). */
  | { type: 'paper'; low: boolean }
  | { type: 'job-started'; jobName: string }
  | { type: 'job-ended'; jobName: string; result: PrintResult };

/**
 * The job is written in pieces of this size: each piece the line takes counts as progress (a 200 KB
 * certificate takes ~20 s at 115200 baud), and a job that is aborted stops being sent at the next piece, so
 * the cancel (which starts with a UEL, ending the printer's PDF mode) is not queued behind the rest.
 */
const JOB_CHUNK = 16 * 1024;

interface ActiveJob {
  name: string;
  expected: number;
  /** Set by `#abort`: nothing more of the job is sent and its timers are not restarted. */
  aborted?: boolean;
  finish(result: PrintResult): void;
  progressTimer?: ReturnType<typeof setTimeout>;
  faultTimer?: ReturnType<typeof setTimeout>;
}

/**
 * The A4 certificate printer, driven with PJL over a serial line. A job counts as printed only when the
 * printer's unsolicited job-END report names it with the expected page count and no failure result. A
 * fault during a job (paper out, cover open, jam, offline) pauses it: the printer resumes when the fault is
 * cleared; if it is not cleared within `faultTimeoutMs` the job is cancelled and reported failed.
 */
export class PjlPrinter {
  readonly #opts: Required<Omit<PjlPrinterOptions, 'logger' | 'backoff' | 'paperLevelVariable'>> & {
    paperLevelVariable: string;
    backoff: { initialMs: number; maxMs: number };
  };
  readonly #log: Logger | undefined;
  #transport: SerialTransport | undefined;
  #unsubscribe: (() => void)[] = [];
  #state: PrinterState = 'gone';
  #stopped = true;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #delay: number;
  #busy = false;
  #job: ActiveJob | undefined;
  #echoSeq = 0;
  readonly #echoWaiters = new Map<string, () => void>();
  readonly #statusWaiters = new Set<() => void>();
  readonly #inquireWaiters = new Set<(variable: string, value: string) => void>();
  /** The last device status said the tray is low (kept through other faults; cleared by a ready status). */
  #paperLow = false;
  /** Pages printed since the tray was reported low: the estimate's count when the printer cannot tell. */
  #pagesSinceLow = 0;
  readonly #listeners = new Set<(e: PrinterEvent) => void>();

  constructor(options: PjlPrinterOptions) {
    if (typeof options?.connect !== 'function')
      throw new TypeError('options.connect: a transport factory is required');
    this.#opts = {
      connect: options.connect,
      echoTimeoutMs: options.echoTimeoutMs ?? 3000,
      jobTimeoutMs: options.jobTimeoutMs ?? 120_000,
      faultTimeoutMs: options.faultTimeoutMs ?? 300_000,
      paperLowSheets: options.paperLowSheets ?? 20,
      paperLevelVariable: options.paperLevelVariable ?? 'INTRAY1LEVEL',
      backoff: { initialMs: options.backoff?.initialMs ?? 250, maxMs: options.backoff?.maxMs ?? 5000 },
    };
    if (!Number.isInteger(this.#opts.paperLowSheets) || this.#opts.paperLowSheets < 0)
      throw new TypeError('options.paperLowSheets: a non-negative integer is required');
    if (!/^[A-Z0-9]{1,40}$/.test(this.#opts.paperLevelVariable))
      throw new TypeError('options.paperLevelVariable: [A-Z0-9]{1,40} expected');
    this.#delay = this.#opts.backoff.initialMs;
    this.#log = options.logger;
  }

  get state(): PrinterState {
    return this.#state;
  }

  /** The paper as the printer reports it: out (stopped for paper), low (near-empty sensor), ok, unknown. */
  get paper(): PaperLevel {
    if (this.#state === 'gone') return 'unknown';
    if (this.#state === 'paper-out') return 'out';
    return this.#paperLow ? 'low' : 'ok';
  }

  /** Sheets in the tray when the near-empty sensor trips (`paperLowSheets`). */
  get paperLowSheets(): number {
    return this.#opts.paperLowSheets;
  }

  /**
   * Sheets left in the tray: the printer's own count (`@PJL INQUIRE <paperLevelVariable>`) when it has one;
   * otherwise, once the tray is reported low, the sensor's sheets less the pages printed since; `undefined`
   * when neither is known (no printer, or the tray is not low and the printer cannot count).
   */
  async sheetsLeft(): Promise<number | undefined> {
    const counted = await this.#inquire(this.#opts.paperLevelVariable);
    if (counted !== undefined && /^\d{1,6}$/.test(counted)) return Number(counted);
    if (this.#state === 'paper-out') return 0;
    if (this.#paperLow) return Math.max(0, this.#opts.paperLowSheets - this.#pagesSinceLow);
    return undefined;
  }

  /** Asks the printer for a PJL variable; `undefined` when there is no line or no answer in time. */
  async #inquire(variable: string): Promise<string | undefined> {
    const t = this.#transport;
    if (t === undefined || this.#state === 'gone') return undefined;
    const answer = new Promise<string | undefined>((resolve) => {
      const done = (v: string, value: string) => {
        if (v !== variable) return;
        clearTimeout(timer);
        this.#inquireWaiters.delete(done);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#inquireWaiters.delete(done);
        resolve(undefined);
      }, this.#opts.echoTimeoutMs);
      this.#inquireWaiters.add(done);
    });
    t.write(buildPjlCommands([`@PJL INQUIRE ${variable}`])).catch(() => undefined);
    return answer;
  }

  /** State changes and job start/end, for the kiosk's status display and operator log. */
  onEvent(listener: (e: PrinterEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Connects (or keeps retrying with backoff). Resolves after the first attempt. */
  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    await this.#connectOnce();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#endJob({ ok: false, code: 'PRINTER_GONE' });
    const t = this.#transport;
    this.#detach();
    await t?.close().catch(() => undefined);
    this.#setState('gone');
  }

  /** Resolves once the printer reports a state other than `gone`, or after `timeoutMs`. */
  async waitForState(predicate: (s: PrinterState) => boolean, timeoutMs: number): Promise<PrinterState> {
    if (predicate(this.#state)) return this.#state;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(this.#state);
      }, timeoutMs);
      const off = this.onEvent((e) => {
        if (e.type === 'state' && predicate(e.state)) {
          clearTimeout(timer);
          off();
          resolve(e.state);
        }
      });
    });
  }

  /**
   * Prints one PDF. Resolves `{ ok: true, pages }` only on the printer's job-END report with
   * `expectedPages` pages; otherwise `{ ok: false, code }`. Throws on bad arguments or when a job is
   * already running (`PRINTER_BUSY`).
   */
  async print(pdf: Uint8Array, options: { jobName: string; expectedPages: number }): Promise<PrintResult> {
    if (!(pdf instanceof Uint8Array)) throw new TypeError('pdf: Uint8Array expected');
    assertJobName(options?.jobName);
    if (!Number.isInteger(options.expectedPages) || options.expectedPages < 1)
      throw new TypeError('options.expectedPages: a positive integer is required');
    const bytes = buildPjlJob(pdf, options.jobName);
    if (this.#busy) throw coded('PRINTER_BUSY', 'a print job is already in progress');
    this.#busy = true;
    try {
      const before = this.#refusal();
      if (before) return before;
      const t = this.#transport!;
      if (!(await this.#echo(t))) {
        this.#resync(t);
        return { ok: false, code: 'PRINTER_NOT_RESPONDING' };
      }
      const after = this.#refusal();
      if (after) return after;
      const result = await new Promise<PrintResult>((resolve) => {
        const job: ActiveJob = { name: options.jobName, expected: options.expectedPages, finish: resolve };
        this.#job = job;
        this.#touch(job);
        void this.#sendJob(t, job, bytes);
      });
      this.#emit({ type: 'job-ended', jobName: options.jobName, result });
      this.#log?.info('printer.job-ended', {
        job: options.jobName,
        ok: result.ok,
        code: result.ok ? null : result.code,
        pages: result.pages ?? null,
      });
      return result;
    } finally {
      this.#busy = false;
    }
  }

  /** Cancels the running job; its `print()` resolves `PRINTER_JOB_CANCELLED`. */
  async cancel(): Promise<void> {
    const job = this.#job;
    if (!job) return;
    await this.#abort(job, 'PRINTER_JOB_CANCELLED');
  }

  /** Writes the job piece by piece; stops when the job was aborted or ended (e.g. the printer went away). */
  async #sendJob(t: SerialTransport, job: ActiveJob, bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; at += JOB_CHUNK) {
      if (this.#job !== job || job.aborted) return;
      try {
        await t.write(bytes.subarray(at, at + JOB_CHUNK));
      } catch {
        if (this.#job === job) this.#endJob({ ok: false, code: 'PRINTER_GONE' });
        return;
      }
      if (this.#job === job && !job.aborted) this.#touch(job);
    }
  }

  /**
   * The printer did not answer an ECHO: a write may be stuck in the line, or the printer lost track of the
   * stream. Reopen the line (the close listener marks it gone and reconnects; the printer's INFO STATUS answer
   * then makes it ready again), so the next job starts on a clean line instead of queueing behind the last.
   */
  #resync(t: SerialTransport): void {
    if (this.#transport !== t || this.#job !== undefined) return;
    this.#log?.warn('printer.resync', { code: 'PRINTER_NOT_RESPONDING' });
    void t.close().catch(() => undefined);
  }

  #refusal(): PrintResult | null {
    if (this.#transport === undefined || this.#state === 'gone') return { ok: false, code: 'PRINTER_GONE' };
    const fault = faultCode(this.#state);
    return fault ? { ok: false, code: fault } : null;
  }

  async #connectOnce(): Promise<void> {
    if (this.#stopped) return;
    const t = this.#opts.connect();
    try {
      await t.open();
    } catch (err) {
      this.#log?.debug('printer.open-failed', {
        code: (err as { code?: string }).code ?? 'DEVICE_OPEN_FAILED',
      });
      this.#scheduleRetry();
      return;
    }
    if (this.#stopped) {
      await t.close().catch(() => undefined);
      return;
    }
    const decoder = new PjlStatusDecoder();
    this.#transport = t;
    this.#unsubscribe = [
      t.onData((chunk) => {
        for (const m of decoder.push(chunk)) this.#onMessage(m);
      }),
      t.onClose(() => {
        if (this.#transport !== t) return;
        this.#detach();
        this.#log?.warn('printer.disconnected', { code: 'DEVICE_DISCONNECTED' });
        this.#setState('gone');
        this.#endJob({ ok: false, code: 'PRINTER_GONE' });
        this.#scheduleRetry();
      }),
    ];
    const answered = new Promise<boolean>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#statusWaiters.delete(done);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#statusWaiters.delete(done);
        resolve(false);
      }, this.#opts.echoTimeoutMs);
      this.#statusWaiters.add(done);
    });
    // Not awaited before the answer (a stuck write must not hold this); a failed write closes the line and
    // the close listener reconnects.
    t.write(buildPjlCommands(['@PJL USTATUS DEVICE = ON', '@PJL INFO STATUS'])).catch(() => undefined);
    if (!(await answered) && this.#transport === t) {
      this.#log?.warn('printer.no-status', { code: 'PRINTER_NOT_RESPONDING' });
      this.#setState('offline');
    }
    // Still connected (the line did not close under the write): the backoff starts again from the start.
    if (this.#transport === t) this.#delay = this.#opts.backoff.initialMs;
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    clearTimeout(this.#retryTimer);
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#opts.backoff.maxMs);
    this.#retryTimer = setTimeout(() => void this.#connectOnce(), delay);
  }

  #detach(): void {
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
    this.#transport = undefined;
  }

  async #echo(t: SerialTransport): Promise<boolean> {
    const token = `k${++this.#echoSeq}.${Math.random().toString(36).slice(2, 10)}`;
    const echoed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#echoWaiters.delete(token);
        resolve(false);
      }, this.#opts.echoTimeoutMs);
      this.#echoWaiters.set(token, () => {
        clearTimeout(timer);
        this.#echoWaiters.delete(token);
        resolve(true);
      });
    });
    // Not awaited before the answer: a write stuck in the line must not hold this past its timeout.
    let failed = false;
    t.write(buildPjlEcho(token)).catch(() => {
      failed = true;
      this.#echoWaiters.get(token)?.();
    });
    return (await echoed) && !failed;
  }

  #onMessage(m: PjlMessage): void {
    switch (m.type) {
      case 'device':
      case 'info-status': {
        const s = stateFromPjlStatus(m.code, m.online);
        if (m.type === 'info-status') for (const w of [...this.#statusWaiters]) w();
        // The tray level is known from a ready or paper-out status; another fault says nothing about it.
        if (s === 'ready' || s === 'paper-out') {
          const low = s === 'ready' && paperLowFromPjlStatus(m.code);
          if (low !== this.#paperLow) {
            if (low) this.#pagesSinceLow = 0;
            this.#paperLow = low;
            this.#log?.info('printer.paper', { low });
            this.#emit({ type: 'paper', low });
          }
        }
        if (s !== null) this.#setState(s);
        return;
      }
      case 'inquire':
        for (const w of [...this.#inquireWaiters]) w(m.variable, m.value);
        return;
      case 'echo':
        this.#echoWaiters.get(m.text)?.();
        return;
      case 'job-start':
        if (this.#job && m.name === this.#job.name) {
          this.#touch(this.#job);
          this.#emit({ type: 'job-started', jobName: m.name });
        }
        return;
      case 'page':
        if (this.#job) this.#touch(this.#job);
        return;
      case 'job-end': {
        if (this.#paperLow) this.#pagesSinceLow += m.pages;
        const job = this.#job;
        if (!job || m.name !== job.name) return;
        if (m.result !== undefined && m.result !== 'OK')
          this.#endJob({ ok: false, code: 'PRINTER_JOB_CANCELLED', pages: m.pages });
        else if (m.pages !== job.expected)
          this.#endJob({ ok: false, code: 'PRINTER_JOB_INCOMPLETE', pages: m.pages });
        else this.#endJob({ ok: true, pages: m.pages });
        return;
      }
      case 'unknown':
        this.#log?.debug('printer.unparsed-message', { reason: m.reason });
        return;
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  #setState(state: PrinterState): void {
    const previous = this.#state;
    if (state === previous) return;
    this.#state = state;
    this.#log?.info('printer.state', { state, previous });
    const job = this.#job;
    if (job && state !== 'gone') {
      const fault = faultCode(state);
      if (fault) {
        clearTimeout(job.progressTimer);
        if (job.faultTimer === undefined)
          job.faultTimer = setTimeout(() => void this.#abort(job, null), this.#opts.faultTimeoutMs);
      } else {
        clearTimeout(job.faultTimer);
        job.faultTimer = undefined;
        this.#touch(job);
      }
    }
    this.#emit({ type: 'state', state, previous });
  }

  /** Restarts the no-progress timer of a job while the printer is healthy. */
  #touch(job: ActiveJob): void {
    clearTimeout(job.progressTimer);
    if (job.aborted || faultCode(this.#state) !== null) return;
    job.progressTimer = setTimeout(() => void this.#abort(job, 'PRINTER_TIMEOUT'), this.#opts.jobTimeoutMs);
  }

  /**
   * Cancels a job on the printer and reports it failed with `code` (or, when `null`, with the current
   * fault's code). Waits briefly for the printer's job-END with the pages it did print.
   */
  async #abort(job: ActiveJob, code: PrintFailureCode | null): Promise<void> {
    if (this.#job !== job || job.aborted) return;
    job.aborted = true;
    const reason = code ?? faultCode(this.#state) ?? 'PRINTER_TIMEOUT';
    clearTimeout(job.progressTimer);
    clearTimeout(job.faultTimer);
    job.faultTimer = undefined;
    // Whatever the printer reports next for this job, the answer is this failure.
    const original = job.finish;
    job.expected = -1;
    const fallback = setTimeout(() => this.#endJob({ ok: false, code: reason }), this.#opts.echoTimeoutMs);
    job.finish = (r) => {
      clearTimeout(fallback);
      original({ ok: false, code: reason, ...(r.pages !== undefined ? { pages: r.pages } : {}) });
    };
    await this.#transport?.write(buildPjlCancel(job.name)).catch(() => undefined);
  }

  #endJob(result: PrintResult): void {
    const job = this.#job;
    if (!job) return;
    this.#job = undefined;
    clearTimeout(job.progressTimer);
    clearTimeout(job.faultTimer);
    job.finish(result);
  }

  #emit(e: PrinterEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
