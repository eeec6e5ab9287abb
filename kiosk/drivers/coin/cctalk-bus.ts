import type { SerialTransport } from '../transport.js';
import { ADDRESS, CcTalkDecoder, HEADER, encodeFrame, type CcTalkFrame } from './cctalk-frame.js';

export type BusFailure = 'COIN_NO_REPLY' | 'COIN_BAD_FRAME' | 'COIN_NAK' | 'DEVICE_DISCONNECTED';
export type BusResult = { ok: true; data: Uint8Array } | { ok: false; code: BusFailure };

export interface CcTalkBusOptions {
  /** Single-wire ccTalk: the host reads its own bytes back first. Default true. */
  echo?: boolean;
  /** Reply timeout per attempt. Default 250 ms. */
  timeoutMs?: number;
}

/**
 * One ccTalk line as the host sees it: one command at a time, the echo of our own bytes removed, the
 * reply decoded, checked (to the host, from the addressed device) and matched as ACK (header 0).
 * `request()` never throws for a bad peer; it returns `{ ok: false, code }`.
 */
export class CcTalkBus {
  readonly #t: SerialTransport;
  readonly #echo: boolean;
  readonly #timeoutMs: number;
  readonly #decoder = new CcTalkDecoder();
  #queue: Promise<unknown> = Promise.resolve();
  #echoLeft: number[] = [];
  #waiter:
    ((r: { ok: true; frame: CcTalkFrame } | { ok: false; code: 'COIN_BAD_FRAME' }) => void) | undefined;
  readonly #off: (() => void)[];

  constructor(transport: SerialTransport, options: CcTalkBusOptions = {}) {
    this.#t = transport;
    this.#echo = options.echo ?? true;
    this.#timeoutMs = options.timeoutMs ?? 250;
    this.#off = [transport.onData((c) => this.#onData(c))];
  }

  dispose(): void {
    for (const o of this.#off) o();
  }

  /** Sends a command and waits for its reply; retries `retries` times on no reply or a bad frame. */
  request(dest: number, header: number, data: readonly number[] = [], retries = 2): Promise<BusResult> {
    const run = this.#queue.then(() => this.#attempts(dest, header, data, retries));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #attempts(
    dest: number,
    header: number,
    data: readonly number[],
    retries: number,
  ): Promise<BusResult> {
    let last: BusResult = { ok: false, code: 'COIN_NO_REPLY' };
    for (let i = 0; i <= retries; i++) {
      last = await this.#once(dest, header, data);
      if (last.ok || last.code === 'COIN_NAK' || last.code === 'DEVICE_DISCONNECTED') return last;
    }
    return last;
  }

  async #once(dest: number, header: number, data: readonly number[]): Promise<BusResult> {
    if (!this.#t.isOpen) return { ok: false, code: 'DEVICE_DISCONNECTED' };
    const frame = encodeFrame({ dest, src: ADDRESS.host, header, data });
    this.#decoder.reset();
    this.#echoLeft = this.#echo ? [...frame] : [];
    const reply = new Promise<
      { ok: true; frame: CcTalkFrame } | { ok: false; code: 'COIN_BAD_FRAME' | 'COIN_NO_REPLY' }
    >((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve({ ok: false, code: 'COIN_NO_REPLY' });
      }, this.#timeoutMs);
      this.#waiter = (r) => {
        clearTimeout(timer);
        this.#waiter = undefined;
        resolve(r);
      };
    });
    try {
      await this.#t.write(frame);
    } catch {
      this.#waiter?.({ ok: false, code: 'COIN_BAD_FRAME' });
      return { ok: false, code: 'DEVICE_DISCONNECTED' };
    }
    const r = await reply;
    if (!r.ok) return r;
    const f = r.frame;
    if (f.dest !== ADDRESS.host || f.src !== dest) return { ok: false, code: 'COIN_BAD_FRAME' };
    if (f.header !== HEADER.ack) return { ok: false, code: 'COIN_NAK' };
    return { ok: true, data: f.data };
  }

  #onData(chunk: Uint8Array): void {
    let i = 0;
    // Strip the echo of our own command, byte by byte; a mismatch means there is no echo on this line.
    while (i < chunk.length && this.#echoLeft.length > 0) {
      if (chunk[i] === this.#echoLeft[0]) {
        this.#echoLeft.shift();
        i++;
      } else this.#echoLeft = [];
    }
    if (i === chunk.length) return;
    for (const r of this.#decoder.push(chunk.subarray(i))) {
      if (!this.#waiter) continue; // a late reply to a timed-out command: dropped
      if (r.ok && r.frame.dest !== ADDRESS.host) continue; // another device's traffic
      this.#waiter(r);
    }
  }
}
