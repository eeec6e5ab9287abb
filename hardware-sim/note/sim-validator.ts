import type { SerialTransport } from '../../kiosk/drivers/transport.js';
import { COMMAND, Id003Decoder, STATUS, encodeMessage } from '../../kiosk/drivers/note/id003-frame.js';
import type { SimEventLog } from '../core/events.js';

/** The simulated validator's currency table: escrow code → [country byte, base, exponent]. */
export const SIM_NOTE_TABLE: readonly { code: number; yen: number; base: number; exp: number }[] = [
  { code: 0x61, yen: 1000, base: 1, exp: 3 },
  { code: 0x62, yen: 2000, base: 2, exp: 3 },
  { code: 0x63, yen: 5000, base: 5, exp: 3 },
  { code: 0x64, yen: 10000, base: 1, exp: 4 },
];

export type NoteFault = 'jam' | 'cash-box-full' | 'return-next';
export type NoteInsertOutcome = 'taken' | 'refused' | 'rejected';

type Phase =
  | 'power-up'
  | 'initialize'
  | 'idle'
  | 'accepting'
  | 'escrow'
  | 'stacking'
  | 'vend-valid'
  | 'stacked'
  | 'returning'
  | 'rejecting';

/** Reject reason sent with REJECTING for a note the validator could not read (an ID-003 reject code). */
const REJECT_UNREADABLE = 0x71;

/**
 * A JCM ID-003 note validator on a serial line (no echo; full duplex). It advances one step per status
 * request, as a real validator's transport does between polls: inserting a note gives ACCEPTING, then
 * ESCROW with the note's code until the controller says STACK-1/2 (→ STACKING, VEND VALID until the
 * controller's ACK, STACKED, back to IDLING) or RETURN (→ RETURNING, IDLING: the note comes back).
 * Faults: a jam (JAM IN ACCEPTOR until cleared), a full cash box (STACKER FULL), and "return next" (the
 * next note is refused as unreadable: REJECTING, handed back). It starts in POWER UP until RESET.
 */
export class SimNoteValidator {
  #transport: SerialTransport | undefined;
  #off: (() => void) | undefined;
  #decoder = new Id003Decoder();
  #writes: Promise<void> = Promise.resolve();
  #phase: Phase = 'power-up';
  #note: { code: number; yen: number } | undefined;
  #inhibited = true;
  #jammed = false;
  #full = false;
  #returnNext = false;
  #drop = 0;
  /** Notes in the cash box, by value. */
  stackedYen = 0;
  stackedNotes = 0;
  returnedNotes = 0;

  constructor(
    private readonly events?: SimEventLog,
    /** The cash box holds this many notes; then STACKER FULL until emptied. */
    readonly capacity = 300,
  ) {}

  get accepting(): boolean {
    return !this.#inhibited && this.#fault() === undefined && this.#phase === 'idle';
  }

  get phase(): string {
    return this.#phase;
  }

  get faults(): NoteFault[] {
    const f: NoteFault[] = [];
    if (this.#jammed) f.push('jam');
    if (this.#full) f.push('cash-box-full');
    if (this.#returnNext) f.push('return-next');
    return f;
  }

  attach(t: SerialTransport): void {
    this.detach();
    this.#transport = t;
    this.#decoder = new Id003Decoder();
    this.#off = t.onData((chunk) => this.#onData(chunk));
  }

  detach(): void {
    this.#off?.();
    this.#off = undefined;
    this.#transport = undefined;
  }

  /** The validator loses power and comes back: POWER UP until the controller's RESET. */
  powerCycle(): void {
    this.#phase = 'power-up';
    this.#note = undefined;
    this.#inhibited = true;
  }

  /** Makes the next n answers vanish after the message was carried out (a lost reply). */
  dropReplies(n: number): void {
    this.#drop = n;
  }

  setFault(fault: NoteFault, on: boolean): void {
    if (fault === 'jam') this.#jammed = on;
    if (fault === 'cash-box-full') this.#full = on;
    if (fault === 'return-next') this.#returnNext = on;
    this.events?.emit('note-validator', on ? `fault-${fault}` : `cleared-${fault}`);
  }

  /** Empties the cash box (staff): clears a full box. */
  emptyCashBox(): void {
    this.stackedNotes = 0;
    this.stackedYen = 0;
    this.#full = false;
    this.events?.emit('note-validator', 'cash-box-emptied');
  }

  /** A resident holds a note to the slot. */
  insert(yen: number): NoteInsertOutcome {
    let outcome: NoteInsertOutcome;
    const entry = SIM_NOTE_TABLE.find((n) => n.yen === yen);
    if (this.#fault() !== undefined || this.#inhibited || this.#phase !== 'idle') outcome = 'refused';
    else if (!entry || this.#returnNext) {
      this.#returnNext = false;
      this.#phase = 'rejecting';
      this.returnedNotes++;
      outcome = 'rejected';
    } else {
      this.#note = { code: entry.code, yen };
      this.#phase = 'accepting';
      outcome = 'taken';
    }
    this.events?.emit('note-validator', 'note', { yen, outcome });
    return outcome;
  }

  #fault(): number | undefined {
    if (this.#jammed) return STATUS.jamInAcceptor;
    if (this.#full || this.stackedNotes >= this.capacity) return STATUS.stackerFull;
    return undefined;
  }

  #status(): number[] {
    const fault = this.#fault();
    // A fault shows once the note in the path (if any) has settled; a jam holds even a note mid-path.
    if (this.#jammed) return [STATUS.jamInAcceptor];
    switch (this.#phase) {
      case 'power-up':
        return [STATUS.powerUp];
      case 'initialize':
        this.#phase = 'idle';
        return [STATUS.initialize];
      case 'accepting':
        this.#phase = 'escrow';
        return [STATUS.accepting];
      case 'escrow':
        return [STATUS.escrow, this.#note!.code];
      case 'stacking':
        this.#phase = 'vend-valid';
        return [STATUS.stacking];
      case 'vend-valid':
        return [STATUS.vendValid];
      case 'stacked':
        this.#phase = 'idle';
        return [STATUS.stacked];
      case 'returning':
        this.#phase = 'idle';
        this.#note = undefined;
        return [STATUS.returning];
      case 'rejecting':
        this.#phase = 'idle';
        return [STATUS.rejecting, REJECT_UNREADABLE];
      case 'idle':
        if (fault !== undefined) return [fault];
        return [this.#inhibited ? STATUS.disabled : STATUS.idling];
      default: {
        const never: never = this.#phase;
        return never;
      }
    }
  }

  #handle(cmd: number, data: Uint8Array): { cmd: number; data: number[] } | null {
    const ack = { cmd: STATUS.ack, data: [] };
    const invalid = { cmd: STATUS.invalidCommand, data: [] };
    switch (cmd) {
      case COMMAND.statusRequest: {
        const [s, ...d] = this.#status();
        return { cmd: s!, data: d };
      }
      case COMMAND.ack:
        if (this.#phase === 'vend-valid') {
          this.#phase = 'stacked';
          this.stackedNotes++;
          this.stackedYen += this.#note?.yen ?? 0;
          this.events?.emit('note-validator', 'stacked', { yen: this.#note?.yen ?? 0 });
          this.#note = undefined;
        }
        return null; // the controller's ACK gets no answer
      case COMMAND.reset:
        this.#phase = 'initialize';
        this.#note = undefined;
        return ack;
      case COMMAND.stack1:
      case COMMAND.stack2:
        if (this.#phase === 'escrow') this.#phase = 'stacking';
        else if (!['stacking', 'vend-valid', 'stacked'].includes(this.#phase)) return invalid;
        return ack;
      case COMMAND.return:
        if (this.#phase === 'escrow') {
          this.#phase = 'returning';
          this.returnedNotes++;
          this.events?.emit('note-validator', 'returned', { yen: this.#note?.yen ?? 0 });
        } else if (this.#phase !== 'returning' && this.#phase !== 'idle') return invalid;
        return ack;
      case COMMAND.hold:
      case COMMAND.wait:
        return this.#phase === 'escrow' ? ack : invalid;
      case COMMAND.setEnableDenomination:
        return data.length === 2 ? { cmd, data: [...data] } : invalid;
      case COMMAND.setSecurity:
        return data.length === 2 ? { cmd, data: [...data] } : invalid;
      case COMMAND.setCommunicationMode:
        return data.length === 1 ? { cmd, data: [...data] } : invalid;
      case COMMAND.setInhibit:
        if (data.length !== 1) return invalid;
        this.#inhibited = (data[0]! & 1) === 1;
        this.events?.emit('note-validator', 'inhibit', { accepting: !this.#inhibited });
        return { cmd, data: [data[0]!] };
      case COMMAND.requestInhibit:
        return { cmd, data: [this.#inhibited ? 1 : 0] };
      case COMMAND.requestVersion:
        return { cmd, data: [...'SIM ID-003 JPY'].map((c) => c.charCodeAt(0)) };
      case COMMAND.requestCurrencyAssign:
        return { cmd, data: SIM_NOTE_TABLE.flatMap((n) => [n.code, 0, n.base, n.exp]) };
      default:
        return invalid;
    }
  }

  #onData(chunk: Uint8Array): void {
    for (const r of this.#decoder.push(chunk)) {
      if (!r.ok) {
        // A garbled message: the validator answers COMMUNICATION ERROR... only when the CRC fails.
        this.#send(encodeMessage(STATUS.communicationError));
        continue;
      }
      const answer = this.#handle(r.message.cmd, r.message.data);
      if (!answer) continue;
      if (this.#drop > 0) {
        this.#drop--;
        continue;
      }
      this.#send(encodeMessage(answer.cmd, answer.data));
    }
  }

  #send(bytes: Uint8Array): void {
    const t = this.#transport;
    if (!t) return;
    this.#writes = this.#writes.then(() => t.write(bytes)).catch(() => undefined);
  }
}
