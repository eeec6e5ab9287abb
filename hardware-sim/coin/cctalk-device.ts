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

  protected abstract handle(header: number, data: Uint8Array): CcTalkAnswer;

  #onData(chunk: Uint8Array): void {
    this.#send(chunk.slice()); // the wire's echo
    for (const r of this.#decoder.push(chunk)) {
      if (!r.ok) continue; // a real device ignores a corrupt frame; the host times out
      const f = r.frame;
      if (f.dest !== this.address && f.dest !== 0) continue;
      if (f.src !== ADDRESS.host) continue;
      const answer = this.handle(f.header, f.data);
      if (answer === null) continue;
      if (this.#drop > 0) {
        this.#drop--;
        continue;
      }
      const reply =
        answer === 'nak'
          ? encodeFrame({ dest: ADDRESS.host, src: this.address, header: HEADER.nak })
          : encodeFrame({ dest: ADDRESS.host, src: this.address, header: HEADER.ack, data: answer.data });
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
