import type { SerialTransport } from '../transport.js';
import { FrameDecoder, type DecodedFrame } from './decoder.js';
import { ACK_FRAME, NACK_FRAME, TFI_HOST, TFI_PN532, WAKE_UP, encodeInfoFrame } from './frame.js';
import type { ReaderFailureCode, Result } from './result.js';

export interface CommandOptions {
  /** Time allowed for the ACK and again for the answer (libnfc uses one timeout for both). */
  timeoutMs: number;
  /** Send the HSU wake-up bytes first (PN532 in LowVbat / PowerDown). */
  wakeUp?: boolean;
}

/** Frames and bytes this link exchanged (for the benchmark). */
export interface LinkStats {
  framesOut: number;
  framesIn: number;
  bytesOut: number;
  bytesIn: number;
  nacksSent: number;
}

interface Waiter {
  code: number;
  acked: boolean;
  nacks: number;
  onFrame(frame: DecodedFrame): void;
}

const MAX_NACKS = 3;

/**
 * One command at a time over a PN532 HSU line: frame it, wait for the ACK, wait for `D5 code+1`, NACK an
 * answer whose checksum fails (the chip resends it), and on timeout send an ACK to abort the command (as
 * libnfc does) and drop what was buffered. Answers to other commands (late answers of an aborted command)
 * are ignored.
 */
export class Pn532Link {
  readonly #transport: SerialTransport;
  readonly #decoder = new FrameDecoder();
  #waiter: Waiter | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #unsubscribe: (() => void)[];
  readonly #closeWaiters = new Set<() => void>();
  readonly stats: LinkStats = { framesOut: 0, framesIn: 0, bytesOut: 0, bytesIn: 0, nacksSent: 0 };

  constructor(transport: SerialTransport) {
    this.#transport = transport;
    this.#unsubscribe = [
      transport.onData((chunk) => this.#onData(chunk)),
      transport.onClose(() => {
        this.#closed = true;
        for (const w of this.#closeWaiters) w();
      }),
    ];
  }

  get closed(): boolean {
    return this.#closed || !this.#transport.isOpen;
  }

  dispose(): void {
    for (const u of this.#unsubscribe) u();
    this.#closed = true;
    for (const w of this.#closeWaiters) w();
  }

  /** Sends `D4 code params…`, returns the answer's data after `D5 code+1`. Commands are queued, never interleaved. */
  command(code: number, params: Uint8Array, options: CommandOptions): Promise<Result<{ data: Uint8Array }>> {
    const run = this.#chain.then(() => this.#run(code, params, options));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #onData(chunk: Uint8Array): void {
    this.stats.bytesIn += chunk.length;
    for (const f of this.#decoder.push(chunk)) {
      this.stats.framesIn++;
      this.#waiter?.onFrame(f);
    }
  }

  async #write(bytes: Uint8Array): Promise<boolean> {
    try {
      await this.#transport.write(bytes);
      this.stats.bytesOut += bytes.length;
      this.stats.framesOut++;
      return true;
    } catch {
      return false;
    }
  }

  async #run(
    code: number,
    params: Uint8Array,
    options: CommandOptions,
  ): Promise<Result<{ data: Uint8Array }>> {
    if (this.closed) return { ok: false, code: 'READER_DISCONNECTED' };
    this.#decoder.reset();
    await this.#transport.flushInput?.().catch(() => undefined);
    const frame = encodeInfoFrame(TFI_HOST, Uint8Array.from([code, ...params]));
    const bytes = options.wakeUp ? Uint8Array.from([...WAKE_UP, ...frame]) : frame.slice();

    return new Promise<Result<{ data: Uint8Array }>>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (r: Result<{ data: Uint8Array }>) => {
        if (timer) clearTimeout(timer);
        // The frame may carry a PIN (VERIFY): leave no copy behind.
        frame.fill(0);
        bytes.fill(0);
        this.#closeWaiters.delete(onClose);
        if (this.#waiter === waiter) this.#waiter = undefined;
        resolve(r);
      };
      const fail = (c: ReaderFailureCode) => finish({ ok: false, code: c });
      const onClose = () => fail('READER_DISCONNECTED');
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          // Abort the command on the chip and forget whatever half-frame is buffered.
          void this.#write(ACK_FRAME);
          this.#decoder.reset();
          fail(this.closed ? 'READER_DISCONNECTED' : 'READER_TIMEOUT');
        }, options.timeoutMs);
      };
      const waiter: Waiter = {
        code,
        acked: false,
        nacks: 0,
        onFrame: (f) => {
          switch (f.type) {
            case 'ack':
              if (!waiter.acked) {
                waiter.acked = true;
                arm();
              }
              return;
            case 'nack':
              // The chip asks for our frame again.
              void this.#write(frame);
              return;
            case 'error':
              fail('READER_PROTOCOL_ERROR');
              return;
            case 'corrupt':
              if (++waiter.nacks > MAX_NACKS) return fail('READER_PROTOCOL_ERROR');
              this.stats.nacksSent++;
              void this.#write(NACK_FRAME);
              return;
            case 'info':
              if (f.tfi !== TFI_PN532 || f.data[0] !== code + 1) return; // someone else's answer
              finish({ ok: true, data: f.data.subarray(1) });
              return;
            default: {
              const never: never = f;
              return never;
            }
          }
        },
      };
      this.#waiter = waiter;
      this.#closeWaiters.add(onClose);
      arm();
      void this.#write(bytes).then((ok) => {
        if (!ok) fail('READER_DISCONNECTED');
      });
    });
  }
}
