import { stat } from 'node:fs';
import { coded } from '../../../protocol/errors/index.js';
import { SerialPort } from 'serialport';
import type { SerialTransport } from '../transport.js';

export interface SerialPortTransportOptions {
  path: string;
  baudRate: number;
  dataBits?: 8 | 7;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  /**
   * How often to check that the device node still exists (ms; 0 = never). A pulled USB-serial adapter or
   * a vanished pty is not always reported by the OS until the next write; the node disappearing is.
   */
  presenceCheckMs?: number;
}

/** The `uv_poll` event bits of `@serialport/bindings-cpp`'s `Poller`. */
const UV_READABLE = 0b001;
const UV_WRITABLE = 0b010;
const UV_DISCONNECT = 0b100;

interface PollerLike {
  poll(flags: number): void;
  listenerCount(event: string): number;
}

/**
 * Works around a stall in `@serialport/bindings-cpp` 13 on Linux (its `Poller::poll` in `src/poller.cpp`
 * calls `uv_poll_start` with only the events asked for this time, not with every event still awaited).
 * A large write fills the tty buffer (EAGAIN) and waits for `writable`; the peer answers (the printer's job
 * START), so a read runs, meets EAGAIN and waits for `readable`; that second poll drops the write's
 * interest, and the write waits forever unless the peer sends again. A printer that is still waiting for the
 * end of the PDF does not, so the job stalls and every later write queues behind it. Here every poll also
 * asks for the events someone is still waiting for. Returns false (and changes nothing) when the port's
 * binding has no such poller (another platform or a mock binding).
 */
export function keepEveryPollInterest(port: SerialPort): boolean {
  const binding = (port as unknown as { port?: { poller?: Partial<PollerLike> } }).port;
  const poller = binding?.poller;
  if (poller === undefined || typeof poller.poll !== 'function' || typeof poller.listenerCount !== 'function')
    return false;
  const p = poller as PollerLike;
  const poll = p.poll.bind(p);
  p.poll = (flags: number) => {
    let all = flags;
    if (p.listenerCount('readable') > 0) all |= UV_READABLE;
    if (p.listenerCount('writable') > 0) all |= UV_WRITABLE;
    if (p.listenerCount('disconnect') > 0) all |= UV_DISCONNECT;
    poll(all);
  };
  return true;
}

/**
 * A `SerialTransport` over a real serial line (a USB-serial adapter, a UART, or a pty from `socat`),
 * through `serialport`. A close that was not asked for (the cable pulled, the pty gone) is reported to
 * `onClose` listeners with an error, so drivers can reconnect.
 */
export class SerialPortTransport implements SerialTransport {
  readonly #options: SerialPortTransportOptions;
  #port: SerialPort | undefined;
  #closing = false;
  #presenceTimer: ReturnType<typeof setInterval> | undefined;
  readonly #dataListeners = new Set<(chunk: Uint8Array) => void>();
  readonly #closeListeners = new Set<(error?: Error) => void>();

  constructor(options: SerialPortTransportOptions) {
    if (typeof options?.path !== 'string' || options.path === '')
      throw new TypeError('options.path: a device path is required');
    if (!Number.isInteger(options.baudRate) || options.baudRate <= 0)
      throw new TypeError('options.baudRate: a positive integer is required');
    this.#options = options;
  }

  get path(): string {
    return this.#options.path;
  }

  get isOpen(): boolean {
    return this.#port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    this.#closing = false;
    const port = new SerialPort({
      path: this.#options.path,
      baudRate: this.#options.baudRate,
      dataBits: this.#options.dataBits ?? 8,
      parity: this.#options.parity ?? 'none',
      stopBits: this.#options.stopBits ?? 1,
      autoOpen: false,
      lock: false,
    });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (err) {
          const missing = /ENOENT|No such file|cannot open/i.test(err.message);
          reject(
            coded(
              missing ? 'DEVICE_NOT_FOUND' : 'DEVICE_OPEN_FAILED',
              `cannot open serial port ${this.#options.path}`,
              err,
            ),
          );
        } else resolve();
      });
    });
    this.#port = port;
    keepEveryPollInterest(port);
    port.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (const l of this.#dataListeners) l(bytes);
    });
    // Always listen for errors: an unhandled 'error' would end the process.
    port.on('error', () => undefined);
    const every = this.#options.presenceCheckMs ?? 500;
    if (every > 0) {
      this.#presenceTimer = setInterval(() => {
        stat(this.#options.path, (err) => {
          if (err && this.#port === port && port.isOpen) port.close(() => undefined);
        });
      }, every);
      this.#presenceTimer.unref();
    }
    port.on('close', (err?: Error | null) => {
      clearInterval(this.#presenceTimer);
      if (this.#port === port) this.#port = undefined;
      const unexpected = !this.#closing;
      const error = unexpected
        ? coded('DEVICE_DISCONNECTED', `serial port ${this.#options.path} went away`, err ?? undefined)
        : undefined;
      for (const l of this.#closeListeners) l(error);
    });
  }

  async write(data: Uint8Array): Promise<void> {
    const port = this.#port;
    if (port === undefined || !port.isOpen)
      throw coded('DEVICE_DISCONNECTED', `serial port ${this.#options.path} is not open`);
    await new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => {
        if (err) return reject(coded('DEVICE_WRITE_FAILED', `write to ${this.#options.path} failed`, err));
        port.drain((e) =>
          e ? reject(coded('DEVICE_WRITE_FAILED', `drain on ${this.#options.path} failed`, e)) : resolve(),
        );
      });
    });
  }

  async flushInput(): Promise<void> {
    const port = this.#port;
    if (port === undefined || !port.isOpen) return;
    await new Promise<void>((resolve) => port.flush(() => resolve()));
  }

  async close(): Promise<void> {
    const port = this.#port;
    if (port === undefined) return;
    this.#closing = true;
    if (!port.isOpen) {
      this.#port = undefined;
      return;
    }
    await new Promise<void>((resolve) => port.close(() => resolve()));
    this.#port = undefined;
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.#dataListeners.add(listener);
    return () => this.#dataListeners.delete(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }
}
