import type { SerialTransport } from '../../kiosk/drivers/transport.js';
import { ADDRESS, CcTalkDecoder, HEADER, encodeFrame } from '../../kiosk/drivers/coin/cctalk-frame.js';

/** What a simulated device answers: ACK with data, NAK, or nothing. */
export type CcTalkAnswer = { data: readonly number[] } | 'nak' | null;

/**
 * A ccTalk slave on a single-wire line: every byte the host sends comes back to the host (the echo of a
 * shared wire); frames addressed to this device with a good checksum are answered after the echo.
 * `dropReplies(n)` makes the next n replies vanish after the command was carried out (a lost reply).
 */
export abstract class SimCcTalkDevice {
  #transport: SerialTransport | undefined;
  #off: (() => void) | undefined;
  #decoder = new CcTalkDecoder();
  #drop = 0;
  #writes: Promise<void> = Promise.resolve();

  constructor(readonly address: number) {}

  attach(t: SerialTransport): void {
    this.detach();
    this.#transport = t;
    this.#decoder = new CcTalkDecoder();
    this.#off = t.onData((chunk) => this.#onData(chunk));
  }

  detach(): void {
    this.#off?.();
    this.#off = undefined;
    this.#transport = undefined;
  }

  dropReplies(n: number): void {
    this.#drop = n;
  }

  /** Takes one pending lost reply, if any (a bank forwards its members' lost replies this way). */
  consumeDrop(): boolean {
    if (this.#drop === 0) return false;
    this.#drop--;
    return true;
  }

  /** Answers a frame as if it came on this device's own line (used by a bank of devices on one line). */
  answer(header: number, data: Uint8Array): CcTalkAnswer {
    return this.handle(header, data);
  }

  protected abstract handle(header: number, data: Uint8Array): CcTalkAnswer;

  /** Whether a frame to `dest` is for this device (a bank of devices on one line answers several). */
  protected answersTo(dest: number): boolean {
    return dest === this.address || dest === 0;
  }

  /** The answer to a frame addressed to `dest` (one of the addresses `answersTo` accepts). */
  protected answerFor(_dest: number, header: number, data: Uint8Array): CcTalkAnswer {
    return this.handle(header, data);
  }

  #onData(chunk: Uint8Array): void {
    this.#send(chunk.slice()); // the wire's echo
    for (const r of this.#decoder.push(chunk)) {
      if (!r.ok) continue; // a real device ignores a corrupt frame; the host times out
      const f = r.frame;
      if (!this.answersTo(f.dest)) continue;
      if (f.src !== ADDRESS.host) continue;
      const answer = this.answerFor(f.dest, f.header, f.data);
      const src = f.dest === 0 ? this.address : f.dest;
      if (answer === null) continue;
      if (this.#drop > 0) {
        this.#drop--;
        continue;
      }
      const reply =
        answer === 'nak'
          ? encodeFrame({ dest: ADDRESS.host, src, header: HEADER.nak })
          : encodeFrame({ dest: ADDRESS.host, src, header: HEADER.ack, data: answer.data });
      this.#send(reply);
    }
  }

  #send(bytes: Uint8Array): void {
    const t = this.#transport;
    if (!t) return;
    this.#writes = this.#writes.then(() => t.write(bytes)).catch(() => undefined);
  }
}

export const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
