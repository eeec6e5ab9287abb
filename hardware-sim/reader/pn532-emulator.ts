import type { SerialTransport } from '../../kiosk/drivers/transport.js';
import { FrameDecoder } from '../../kiosk/drivers/pn532/decoder.js';
import {
  ACK_FRAME,
  ERROR_FRAME,
  TFI_HOST,
  TFI_PN532,
  encodeInfoFrame,
} from '../../kiosk/drivers/pn532/frame.js';
import type { CardMode, SimCard } from './card.js';
import { isComputeSignature } from './jpki-ap.js';

export interface Pn532EmulatorOptions {
  /** Line speed used to pace bytes (10 bits per byte, 8N1); 0 = no pacing. Default 115200. */
  baudRate?: number;
  /** Extra delay of every APDU answer for a `slow` card (ms). Default 150 (under libnfc's 350 ms). */
  slowApduDelayMs?: number;
  /**
   * RF bit rate (kbit/s) for the time an APDU and its answer spend on the air between chip and card
   * (ISO/IEC 14443-B: 10 etu per byte, plus PCB, CRC_B and SOF/EOF per block). 0 = not modelled. Default 106.
   * The card's own processing time is not modelled (unknown for the My Number card); see `cardDelayMs`.
   */
  rfKbps?: number;
  /** Card processing time added to every APDU (ms). Default 0. */
  cardDelayMs?: number;
  /**
   * The card's time to compute an RSA-2048 signature (`80 2A 00 80`), ms. Default 300: a real card takes a few
   * hundred milliseconds (docs/reference.md §3.6); the exact figure for the My Number card is not published.
   */
  signDelayMs?: number;
  /** `remove-mid-read`: the card leaves the field at this READ BINARY (1-based). Default 2. */
  removeAtRead?: number;
  /** InDataExchange answers longer than this many DataIn bytes are chained with the MI bit. Default 252. */
  chainAbove?: number;
  /** Event sink (no personal data: commands, modes, resident ids). */
  onEvent?: (event: string, detail?: Record<string, string | number | boolean>) => void;
}

/** Bytes and frames seen on the line by the emulator (for the benchmark). */
export interface LineStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
}

interface Target {
  card: SimCard;
  atqb: Uint8Array;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * An NXP PN532 (firmware 1.6, HSU) on the device side of a serial line, holding at most one ISO/IEC 14443-4
 * Type B card. It answers the command set libnfc uses (docs/reference.md §4.3–4.8): it starts asleep (LowVbat) and
 * wakes on `0x55`, ACKs every valid frame, answers `D5 cmd+1 …`, resends its last answer on a NACK, aborts a
 * pending InListPassiveTarget on an ACK from the host, chains long InDataExchange answers with the MI bit,
 * and sends the application error frame for commands it does not know.
 */
export class Pn532Emulator {
  readonly #opts: Required<Omit<Pn532EmulatorOptions, 'onEvent'>> & Pick<Pn532EmulatorOptions, 'onEvent'>;
  readonly #decoder = new FrameDecoder();
  #transport: SerialTransport | undefined;
  #unsubscribe: (() => void)[] = [];
  #asleep = true;
  #queue: Promise<void> = Promise.resolve();
  #abort: (() => void) | undefined;
  /** Bumped by an ACK from the host: the command being executed is aborted and never answers. */
  #abortSeq = 0;
  #stallTimer: ReturnType<typeof setTimeout> | undefined;
  #lastAnswer: Uint8Array | undefined;
  #lineFreeAt = 0;
  #field = false;
  #maxRtyPassive = 0xff;
  #registers = new Map<number, number>();
  #card: SimCard | undefined;
  /** ATQB of the placed card: `50` PUPI(4, random per placement) AppData(4) ProtInfo `00 81 81`. */
  #atqb: Uint8Array = new Uint8Array(12);
  #mode: CardMode = 'normal';
  #target: Target | undefined;
  #pendingChain: Uint8Array | undefined;
  #reads = 0;
  #garbleCount = 0;
  #cardWaiters = new Set<() => void>();
  readonly stats: LineStats = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 };

  constructor(options: Pn532EmulatorOptions = {}) {
    this.#opts = {
      baudRate: options.baudRate ?? 115200,
      slowApduDelayMs: options.slowApduDelayMs ?? 150,
      rfKbps: options.rfKbps ?? 106,
      cardDelayMs: options.cardDelayMs ?? 0,
      signDelayMs: options.signDelayMs ?? 300,
      removeAtRead: options.removeAtRead ?? 2,
      chainAbove: options.chainAbove ?? 252,
      onEvent: options.onEvent,
    };
  }

  get cardPresent(): boolean {
    return this.#card !== undefined;
  }

  get card(): SimCard | undefined {
    return this.#card;
  }

  get mode(): CardMode {
    return this.#mode;
  }

  /** Connects the emulator to its end of the line (after plug). The chip powers up asleep. */
  attach(transport: SerialTransport): void {
    this.detach();
    this.#transport = transport;
    this.#asleep = true;
    this.#target = undefined;
    this.#field = false;
    this.#decoder.reset();
    this.#unsubscribe = [
      transport.onData((chunk) => this.#onData(chunk)),
      transport.onClose(() => this.detach()),
    ];
  }

  detach(): void {
    if (this.#stallTimer) clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
    this.#transport = undefined;
    this.#abort?.();
  }

  placeCard(card: SimCard, mode: CardMode): void {
    this.#card = card;
    this.#atqb = Uint8Array.of(
      0x50,
      ...crypto.getRandomValues(new Uint8Array(4)),
      0,
      0,
      0,
      0,
      0x00,
      0x81,
      0x81,
    );
    this.#mode = mode;
    this.#reads = 0;
    this.#garbleCount = 0;
    card.reset();
    for (const w of this.#cardWaiters) w();
  }

  /** Takes the card away. An activated target stays known to the chip until a command to it times out. */
  removeCard(): void {
    this.#card = undefined;
    this.#pendingChain = undefined;
  }

  #emit(event: string, detail?: Record<string, string | number | boolean>): void {
    this.#opts.onEvent?.(event, detail);
  }

  #onData(chunk: Uint8Array): void {
    this.stats.bytesIn += chunk.length;
    let bytes = chunk;
    if (this.#asleep) {
      const i = bytes.indexOf(0x55);
      if (i < 0) return;
      this.#asleep = false;
      bytes = bytes.subarray(i + 1);
    }
    const frames = this.#decoder.push(bytes);
    // A frame left half-received for 50 ms is dropped (inter-byte timeout), so noise cannot stall the chip.
    if (this.#stallTimer) clearTimeout(this.#stallTimer);
    this.#stallTimer = this.#decoder.buffered > 0 ? setTimeout(() => this.#decoder.reset(), 50) : undefined;
    for (const f of frames) {
      this.stats.framesIn++;
      if (f.type === 'ack') {
        this.#abortSeq++;
        this.#abort?.();
        continue;
      }
      if (f.type === 'nack') {
        const last = this.#lastAnswer;
        if (last) this.#queue = this.#queue.then(() => this.#send(last));
        continue;
      }
      if (f.type !== 'info' || f.tfi !== TFI_HOST) continue; // corrupt host frames are ignored: the host times out
      this.#abort?.(); // a new command cancels a pending one, as on the chip
      const rxBytes = f.data.length + (f.extended ? 10 : 7);
      this.#queue = this.#queue.then(() => this.#handle(f.data, rxBytes)).catch(() => undefined);
    }
  }

  async #send(bytes: Uint8Array, garble = false): Promise<void> {
    const t = this.#transport;
    if (!t?.isOpen) return;
    let out = bytes;
    if (garble) {
      out = Uint8Array.from([0x13, 0x55, 0xaa, ...bytes]);
      out[out.length - 2] = out[out.length - 2]! ^ 0x5a;
    }
    if (this.#opts.baudRate > 0) {
      const now = performance.now();
      this.#lineFreeAt = Math.max(now, this.#lineFreeAt) + (out.length * 10 * 1000) / this.#opts.baudRate;
      const wait = this.#lineFreeAt - now;
      if (wait >= 1) await sleep(wait);
    }
    this.stats.framesOut++;
    this.stats.bytesOut += out.length;
    await t.write(out).catch(() => undefined);
  }

  async #handle(data: Uint8Array, rxBytes: number): Promise<void> {
    if (this.#opts.baudRate > 0) {
      // The chip has the frame only once its last byte crossed the line.
      this.#lineFreeAt =
        Math.max(performance.now(), this.#lineFreeAt) + (rxBytes * 10 * 1000) / this.#opts.baudRate;
    }
    await this.#send(ACK_FRAME);
    const seq = this.#abortSeq;
    const cmd = data[0]!;
    const answer = await this.#execute(cmd, data.subarray(1));
    if (answer === 'aborted' || seq !== this.#abortSeq) return;
    if (answer === 'syntax-error') {
      this.#lastAnswer = ERROR_FRAME;
      await this.#send(ERROR_FRAME);
      return;
    }
    const frame = encodeInfoFrame(TFI_PN532, Uint8Array.from([cmd + 1, ...answer]));
    this.#lastAnswer = frame;
    const garble = this.#mode === 'garble' && this.#card !== undefined && ++this.#garbleCount % 3 === 0;
    await this.#send(frame, garble);
  }

  async #execute(cmd: number, p: Uint8Array): Promise<Uint8Array | 'aborted' | 'syntax-error'> {
    switch (cmd) {
      case 0x00: // Diagnose
        if (p[0] === 0x06)
          return Uint8Array.of(this.#target && this.#card === this.#target.card ? 0x00 : 0x01);
        return p;
      case 0x02: // GetFirmwareVersion: PN532 v1.6, ISO14443A | ISO14443B | ISO18092
        return Uint8Array.of(0x32, 0x01, 0x06, 0x07);
      case 0x04: {
        const t = this.#target ? [0x01, 0x00, 0x00, 0x03] : [];
        return Uint8Array.of(0x00, this.#field ? 1 : 0, this.#target ? 1 : 0, ...t, 0x00);
      }
      case 0x06: {
        const out: number[] = [];
        for (let i = 0; i + 1 < p.length; i += 2)
          out.push(this.#registers.get((p[i]! << 8) | p[i + 1]!) ?? 0);
        return Uint8Array.from(out);
      }
      case 0x08:
        for (let i = 0; i + 2 < p.length; i += 3) this.#registers.set((p[i]! << 8) | p[i + 1]!, p[i + 2]!);
        return new Uint8Array(0);
      case 0x12: // SetParameters
      case 0x14: // SAMConfiguration
        return new Uint8Array(0);
      case 0x16: // PowerDown: answers, then sleeps until the next 0x55
        this.#target = undefined;
        queueMicrotask(() => (this.#asleep = true));
        return Uint8Array.of(0x00);
      case 0x32:
        return this.#rfConfiguration(p);
      case 0x40:
        return this.#inDataExchange(p);
      case 0x42: // InCommunicateThru: no such (B', SRx, CTx, iClass) target answers
        return Uint8Array.of(0x01);
      case 0x44: // InDeselect
      case 0x52: // InRelease
        if (this.#target) this.#emit(cmd === 0x52 ? 'target-released' : 'target-deselected');
        this.#target = undefined;
        this.#pendingChain = undefined;
        return Uint8Array.of(0x00);
      case 0x54: // InSelect
        return Uint8Array.of(this.#target ? 0x00 : 0x27);
      case 0x4a:
        return this.#inListPassiveTarget(p);
      case 0x60: // InAutoPoll: nothing found
        return Uint8Array.of(0x00);
      default:
        return 'syntax-error';
    }
  }

  #rfConfiguration(p: Uint8Array): Uint8Array {
    if (p[0] === 0x01) {
      this.#field = (p[1] ?? 0) & 0x01 ? true : false;
      if (!this.#field) this.#target = undefined;
    } else if (p[0] === 0x05 && p.length >= 4) this.#maxRtyPassive = p[3]!;
    return new Uint8Array(0);
  }

  async #inListPassiveTarget(p: Uint8Array): Promise<Uint8Array | 'aborted' | 'syntax-error'> {
    const brTy = p[1];
    if (p[0] === undefined || brTy === undefined) return 'syntax-error';
    this.#field = true;
    if (brTy !== 0x03) {
      await sleep(2);
      return Uint8Array.of(0x00);
    }
    if (!this.#card) {
      if (this.#maxRtyPassive === 0xff) {
        const got = await this.#waitForCardOrAbort();
        if (!got) return 'aborted';
      } else {
        await sleep(Math.min(50, 5 * (this.#maxRtyPassive + 1)));
        if (!this.#card) return Uint8Array.of(0x00);
      }
    }
    const card = this.#card!;
    await this.#onAir(5 + 11, 14 + 3); // REQB + ATTRIB, ATQB + ATTRIB answer
    if (this.#target?.card !== card) {
      this.#target = { card, atqb: this.#atqb };
      card.reset();
      this.#emit('target-activated', { resident: card.residentId });
    }
    return Uint8Array.of(0x01, 0x01, ...this.#target.atqb, 0x01, 0x00);
  }

  /** Time on the air for a command and its answer: 10 etu a byte, + PCB and CRC_B (3 bytes) and SOF/EOF (~2.5 bytes) each way. */
  async #onAir(commandBytes: number, answerBytes: number): Promise<void> {
    const kbps = this.#opts.rfKbps;
    if (kbps <= 0) return;
    const bytes = commandBytes + answerBytes + 2 * (3 + 2.5);
    const ms = (bytes * 10) / kbps;
    if (ms >= 1) await sleep(ms);
  }

  #waitForCardOrAbort(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        this.#cardWaiters.delete(onCard);
        this.#abort = undefined;
        resolve(v);
      };
      const onCard = () => done(true);
      this.#cardWaiters.add(onCard);
      this.#abort = () => done(false);
    });
  }

  async #inDataExchange(p: Uint8Array): Promise<Uint8Array> {
    const tg = p[0];
    if (tg !== 0x01 || !this.#target) return Uint8Array.of(0x27);
    if (this.#card !== this.#target.card) {
      await sleep(20); // FWT runs out: the card is gone
      this.#target = undefined;
      return Uint8Array.of(0x01);
    }
    let answer: Uint8Array;
    if (p.length === 1) {
      if (!this.#pendingChain) return Uint8Array.of(0x27);
      answer = this.#pendingChain;
    } else {
      const apdu = p.subarray(1);
      if (this.#mode === 'slow') await sleep(this.#opts.slowApduDelayMs);
      if (this.#opts.cardDelayMs > 0) await sleep(this.#opts.cardDelayMs);
      if (this.#opts.signDelayMs > 0 && isComputeSignature(apdu)) await sleep(this.#opts.signDelayMs);
      if (apdu[1] === 0xb0) {
        this.#reads++;
        if (this.#mode === 'remove-mid-read' && this.#reads >= this.#opts.removeAtRead) {
          this.#emit('card-removed-mid-read', { resident: this.#card.residentId });
          this.removeCard();
          await sleep(20);
          return Uint8Array.of(0x01);
        }
      }
      answer = this.#target.card.transmit(apdu);
      await this.#onAir(apdu.length, answer.length);
    }
    const max = this.#opts.chainAbove;
    if (answer.length > max) {
      this.#pendingChain = answer.slice(max);
      return Uint8Array.of(0x40, ...answer.subarray(0, max));
    }
    this.#pendingChain = undefined;
    return Uint8Array.of(0x00, ...answer);
  }
}
