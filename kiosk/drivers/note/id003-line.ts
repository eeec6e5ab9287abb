import type { SerialTransport } from '../transport.js';
import { Id003Decoder, STATUS, encodeMessage, type Id003Message } from './id003-frame.js';

export type LineFailure = 'NOTE_NO_REPLY' | 'NOTE_BAD_FRAME' | 'DEVICE_DISCONNECTED';
export type LineResult = { ok: true; message: Id003Message } | { ok: false; code: LineFailure };

/**
 * One ID-003 line as the controller sees it: one message at a time, each answered by one message from
 * the acceptor (the controller's ACK to VEND VALID is the one message without an answer: `send`). A bad
 * CRC or no answer within the timeout is retried `retries` times (a status request or setting is safe to
 * repeat; the acceptor answers a repeated operation command again without doing it twice).
 */
export class Id003Line {
  readonly #t: SerialTransport;
  readonly #timeoutMs: number;
  readonly #decoder = new Id003Decoder();
  readonly #off: () => void;
  #queue: Promise<unknown> = Promise.resolve();
  #waiter: ((r: LineResult) => void) | undefined;

  constructor(transport: SerialTransport, options: { timeoutMs?: number } = {}) {
    this.#t = transport;
    this.#timeoutMs = options.timeoutMs ?? 300;
    this.#off = transport.onData((c) => this.#onData(c));
  }

  dispose(): void {
    this.#off();
  }

  request(cmd: number, data: readonly number[] = [], retries = 2): Promise<LineResult> {
    const run = this.#queue.then(async () => {
      let last: LineResult = { ok: false, code: 'NOTE_NO_REPLY' };
      for (let i = 0; i <= retries; i++) {
        last = await this.#once(cmd, data);
        if (last.ok || last.code === 'DEVICE_DISCONNECTED') return last;
      }
      return last;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Sends a message that gets no answer (the controller's ACK). */
  send(cmd: number, data: readonly number[] = []): Promise<boolean> {
    const run = this.#queue.then(async () => {
      if (!this.#t.isOpen) return false;
      return this.#t.write(encodeMessage(cmd, data)).then(
        () => true,
        () => false,
      );
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #once(cmd: number, data: readonly number[]): Promise<LineResult> {
    if (!this.#t.isOpen) return { ok: false, code: 'DEVICE_DISCONNECTED' };
    this.#decoder.reset();
    const reply = new Promise<LineResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve({ ok: false, code: 'NOTE_NO_REPLY' });
      }, this.#timeoutMs);
      this.#waiter = (r) => {
        clearTimeout(timer);
        this.#waiter = undefined;
        resolve(r);
      };
    });
    try {
      await this.#t.write(encodeMessage(cmd, data));
    } catch {
      this.#waiter?.({ ok: false, code: 'DEVICE_DISCONNECTED' });
      return { ok: false, code: 'DEVICE_DISCONNECTED' };
    }
    return reply;
  }

  #onData(chunk: Uint8Array): void {
    for (const r of this.#decoder.push(chunk)) {
      if (!this.#waiter) continue; // a late answer to a timed-out request: dropped
      // COMMUNICATION ERROR: the validator saw a garbled message from us; the request is repeated.
      if (r.ok && r.message.cmd === STATUS.communicationError)
        this.#waiter({ ok: false, code: 'NOTE_BAD_FRAME' });
      else this.#waiter(r.ok ? { ok: true, message: r.message } : r);
    }
  }
}
