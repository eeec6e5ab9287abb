import type { SerialTransportFactory } from '../transport.js';
import type { Logger } from '../../../common/log.js';
import { DeviceLink } from '../coin/link.js';
import { COMMAND, STATUS, parseCurrencyAssign } from './id003-frame.js';
import { Id003Line } from './id003-line.js';

/** What the kiosk knows about the note validator; `gone` = its line is not there. */
export type NoteState =
  | 'gone'
  | 'initializing'
  | 'disabled'
  | 'idle'
  | 'accepting'
  | 'escrow'
  | 'stacking'
  | 'returning'
  | 'rejecting'
  | 'cash-box-full'
  | 'cash-box-open'
  | 'jam'
  | 'failure';

export type NoteFaultCode = 'NOTE_JAM' | 'NOTE_CASH_BOX_FULL' | 'NOTE_CASH_BOX_OPEN' | 'NOTE_FAILURE';

export type NoteEvent =
  /** A note reached escrow; `accepted` tells whether it is being stacked or returned. */
  | { type: 'escrow'; yen: number; accepted: boolean }
  /** The note is past the point of no return (VEND VALID): a credit, reported exactly once. */
  | { type: 'credit'; yen: number }
  /** A note in escrow was handed back because the kiosk refused it. */
  | { type: 'returned'; yen: number }
  /** The validator refused a note by itself (unreadable, inhibited) and gave it back. */
  | { type: 'rejected'; reason: number }
  | { type: 'fault'; code: NoteFaultCode }
  | { type: 'state'; state: NoteState };

export interface NoteValidatorOptions {
  connect: SerialTransportFactory;
  /** Status poll interval. Default 200 ms (ID-003 asks for a status request at least every 200 ms or so). */
  pollMs?: number;
  replyTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  logger?: Logger;
}

/** Status byte → state and, for faults, the code. */
function classify(cmd: number): { state: NoteState; fault?: NoteFaultCode } | undefined {
  switch (cmd) {
    case STATUS.idling:
      return { state: 'idle' };
    case STATUS.accepting:
      return { state: 'accepting' };
    case STATUS.escrow:
    case STATUS.holding:
      return { state: 'escrow' };
    case STATUS.stacking:
    case STATUS.vendValid:
    case STATUS.stacked:
      return { state: 'stacking' };
    case STATUS.rejecting:
      return { state: 'rejecting' };
    case STATUS.returning:
      return { state: 'returning' };
    case STATUS.disabled:
      return { state: 'disabled' };
    case STATUS.initialize:
    case STATUS.powerUp:
    case STATUS.powerUpBillInAcceptor:
    case STATUS.powerUpBillInStacker:
      return { state: 'initializing' };
    case STATUS.stackerFull:
      return { state: 'cash-box-full', fault: 'NOTE_CASH_BOX_FULL' };
    case STATUS.stackerOpen:
      return { state: 'cash-box-open', fault: 'NOTE_CASH_BOX_OPEN' };
    case STATUS.jamInAcceptor:
    case STATUS.jamInStacker:
      return { state: 'jam', fault: 'NOTE_JAM' };
    case STATUS.pause:
      return { state: 'accepting' };
    case STATUS.cheated:
    case STATUS.failure:
      return { state: 'failure', fault: 'NOTE_FAILURE' };
    default:
      return undefined;
  }
}

/**
 * A JCM ID-003 note validator (1,000-yen notes here) on its own serial line (9600 baud, 8 data bits, even
 * parity, 1 stop bit). Initialisation resets a validator that reports power-up, reads the currency table
 * (escrow code → yen) and inhibits acceptance. `enable(decide)` lets notes in; a note in escrow is
 * stacked only when `decide(yen)` says so, otherwise returned (the kiosk refuses a note whose change it
 * cannot pay). A note is credited once, at VEND VALID, which the controller acknowledges.
 */
export class NoteValidator {
  readonly #link: DeviceLink;
  readonly #pollMs: number;
  readonly #log: Logger | undefined;
  readonly #listeners = new Set<(e: NoteEvent) => void>();
  #line: Id003Line | undefined;
  #up = false;
  #state: NoteState = 'gone';
  #table = new Map<number, number>();
  #decide: ((yen: number) => boolean) | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;
  /** The note of the current escrow episode: its value and whether it was stacked or returned. */
  #note: { yen: number; accepted: boolean; credited: boolean; returned: boolean } | undefined;
  #rejectSeen = false;

  constructor(options: NoteValidatorOptions) {
    if (typeof options?.connect !== 'function')
      throw new TypeError('options.connect: a transport factory is required');
    this.#pollMs = options.pollMs ?? 200;
    this.#log = options.logger;
    const timeoutMs = options.replyTimeoutMs ?? 300;
    this.#link = new DeviceLink(
      options.connect,
      async (t) => {
        this.#line?.dispose();
        this.#line = new Id003Line(t, { timeoutMs });
        const ok = await this.#init();
        if (!ok) return false;
        this.#up = true;
        this.#schedulePoll(0);
        return true;
      },
      () => {
        this.#up = false;
        clearTimeout(this.#pollTimer);
        this.#log?.warn('note.disconnected', { code: 'DEVICE_DISCONNECTED' });
        this.#setState('gone');
      },
      { initialMs: options.backoff?.initialMs ?? 250, maxMs: options.backoff?.maxMs ?? 5000 },
    );
  }

  get connected(): boolean {
    return this.#up;
  }

  get state(): NoteState {
    return this.#state;
  }

  /** Whether notes are let in now (the kiosk asked for it and the validator is not faulty). */
  get enabled(): boolean {
    return this.#decide !== undefined;
  }

  /** Note values this validator knows (from its currency table), e.g. `[1000]`. */
  get denominations(): number[] {
    return [...new Set(this.#table.values())].sort((a, b) => a - b);
  }

  /** Can take a note now: connected, idle or disabled, no fault. */
  get ready(): boolean {
    return this.#up && ['idle', 'disabled', 'accepting'].includes(this.#state);
  }

  onEvent(listener: (e: NoteEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    await this.#link.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#pollTimer);
    if (this.#up) await this.#line?.request(COMMAND.setInhibit, [1]);
    this.#decide = undefined;
    await this.#link.stop();
    this.#up = false;
    this.#setState('gone');
  }

  /** Lets notes in; each note in escrow is stacked when `decide(yen)` is true, else returned. */
  async enable(decide: (yen: number) => boolean): Promise<{ ok: true } | { ok: false; code: string }> {
    if (!this.#up || !this.#line) return { ok: false, code: 'DEVICE_DISCONNECTED' };
    this.#decide = decide;
    const r = await this.#line.request(COMMAND.setInhibit, [0]);
    if (!r.ok) {
      this.#decide = undefined;
      return r;
    }
    this.#log?.info('note.enabled', {});
    return { ok: true };
  }

  /** Stops letting notes in; a note already in escrow is returned. */
  async disable(): Promise<void> {
    this.#decide = undefined;
    if (!this.#up || !this.#line) return;
    await this.#line.request(COMMAND.setInhibit, [1]);
    // A note that reached escrow meanwhile is returned by the next poll (no decision any more).
    await this.#pollOnce();
  }

  async #init(): Promise<boolean> {
    const line = this.#line!;
    const status = await line.request(COMMAND.statusRequest);
    if (!status.ok) {
      this.#log?.warn('note.init-failed', { code: status.code });
      return false;
    }
    const c = status.message.cmd;
    if (c === STATUS.powerUp || c === STATUS.powerUpBillInAcceptor || c === STATUS.powerUpBillInStacker) {
      const reset = await line.request(COMMAND.reset);
      if (!reset.ok || reset.message.cmd !== STATUS.ack) return false;
    }
    const table = await line.request(COMMAND.requestCurrencyAssign);
    if (!table.ok || table.message.cmd !== COMMAND.requestCurrencyAssign) return false;
    const map = parseCurrencyAssign(table.message.data);
    if (!map || map.size === 0) {
      this.#log?.warn('note.no-currency-table', { code: 'NOTE_BAD_FRAME' });
      return false;
    }
    this.#table = map;
    // All denominations enabled (the kiosk decides note by note in escrow); entry inhibited until asked.
    const denoms = await line.request(COMMAND.setEnableDenomination, [0, 0]);
    if (!denoms.ok) return false;
    const inhibit = await line.request(COMMAND.setInhibit, [this.#decide ? 0 : 1]);
    return inhibit.ok && inhibit.message.cmd === COMMAND.setInhibit;
  }

  #schedulePoll(delay = this.#pollMs): void {
    clearTimeout(this.#pollTimer);
    if (this.#stopped || !this.#up) return;
    this.#pollTimer = setTimeout(() => void this.#pollOnce().then(() => this.#schedulePoll()), delay);
  }

  async #pollOnce(): Promise<void> {
    const line = this.#line;
    if (!line || !this.#up) return;
    const r = await line.request(COMMAND.statusRequest);
    if (!r.ok) {
      this.#log?.debug('note.poll-failed', { code: r.code });
      return;
    }
    const { cmd, data } = r.message;
    const k = classify(cmd);
    if (!k) {
      this.#log?.debug('note.unknown-status', { status: cmd });
      return;
    }
    const previous = this.#state;
    this.#setState(k.state);
    if (k.fault && previous !== k.state) {
      this.#log?.warn('note.fault', { code: k.fault });
      this.#emit({ type: 'fault', code: k.fault });
    }
    switch (cmd) {
      case STATUS.idling:
      case STATUS.disabled:
      case STATUS.accepting:
        this.#note = undefined;
        this.#rejectSeen = false;
        return;
      case STATUS.escrow: {
        if (this.#note) {
          // Already decided: repeat the decision (our command or its answer may have been lost).
          await line.request(this.#note.accepted ? COMMAND.stack1 : COMMAND.return);
          return;
        }
        const yen = this.#table.get(data[0] ?? 0);
        const accepted = yen !== undefined && this.#decide !== undefined && this.#decide(yen);
        this.#note = { yen: yen ?? 0, accepted, credited: false, returned: false };
        this.#log?.info('note.escrow', { yen: yen ?? null, accepted });
        this.#emit({ type: 'escrow', yen: yen ?? 0, accepted });
        await line.request(accepted ? COMMAND.stack1 : COMMAND.return);
        return;
      }
      case STATUS.vendValid: {
        const n = this.#note;
        if (n && n.accepted && !n.credited) {
          n.credited = true;
          this.#log?.info('note.credit', { yen: n.yen });
          this.#emit({ type: 'credit', yen: n.yen });
        } else if (!n) this.#log?.error('note.vend-without-escrow', { code: 'NOTE_FAILURE' });
        await line.send(COMMAND.ack);
        return;
      }
      case STATUS.returning: {
        const n = this.#note;
        if (n && !n.accepted && !n.returned) {
          n.returned = true;
          this.#emit({ type: 'returned', yen: n.yen });
        }
        return;
      }
      case STATUS.rejecting:
        if (!this.#rejectSeen) {
          this.#rejectSeen = true;
          this.#emit({ type: 'rejected', reason: data[0] ?? 0 });
        }
        return;
      case STATUS.powerUp:
      case STATUS.powerUpBillInAcceptor:
      case STATUS.powerUpBillInStacker:
        // The validator restarted under us: initialise it again.
        if (!(await this.#init())) this.#log?.warn('note.reinit-failed', { code: 'NOTE_FAILURE' });
        return;
      default:
        return;
    }
  }

  #setState(state: NoteState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit({ type: 'state', state });
  }

  #emit(e: NoteEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
