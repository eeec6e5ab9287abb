import { stat } from 'node:fs';
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

function coded(code: string, message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
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
