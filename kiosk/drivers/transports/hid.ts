import HID from 'node-hid';
import { coded } from '../../../protocol/errors/index.js';
import type { HidTransport } from '../transport.js';

export type NodeHidTransportOptions =
  | { path: string; vendorId?: undefined; productId?: undefined }
  | { vendorId: number; productId: number; path?: undefined };

/** The subset of `node-hid`'s `HIDAsync` this transport uses (lets tests hand in a fake device). */
export interface HidAsyncLike {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  removeAllListeners(): unknown;
  write(values: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
}

export type HidOpener = (options: NodeHidTransportOptions) => Promise<HidAsyncLike>;

const openWithNodeHid: HidOpener = (o) =>
  o.path !== undefined ? HID.HIDAsync.open(o.path) : HID.HIDAsync.open(o.vendorId, o.productId);

/**
 * A `HidTransport` over `node-hid` (hidraw or libusb) for the real USB PIN pad, opened by path or by
 * vendor/product id. The keypad has no report ids, so output reports go out with a leading 0x00 as
 * hidapi requires. A read error (the device unplugged) closes the transport with `DEVICE_DISCONNECTED`.
 */
export class NodeHidTransport implements HidTransport {
  readonly #options: NodeHidTransportOptions;
  readonly #opener: HidOpener;
  #device: HidAsyncLike | undefined;
  readonly #reportListeners = new Set<(r: Uint8Array) => void>();
  readonly #closeListeners = new Set<(error?: Error) => void>();

  constructor(options: NodeHidTransportOptions, opener: HidOpener = openWithNodeHid) {
    const byPath = typeof options?.path === 'string' && options.path !== '';
    const byId = Number.isInteger(options?.vendorId) && Number.isInteger(options?.productId);
    if (!byPath && !byId) throw new TypeError('options: a path, or vendorId and productId, is required');
    this.#options = options;
    this.#opener = opener;
  }

  get isOpen(): boolean {
    return this.#device !== undefined;
  }

  async open(): Promise<void> {
    if (this.#device) return;
    let device: HidAsyncLike;
    try {
      device = await this.#opener(this.#options);
    } catch (err) {
      const msg = err instanceof Error ? err.message : '';
      const missing = /could not open|cannot open|not found|no such/i.test(msg);
      throw coded(missing ? 'DEVICE_NOT_FOUND' : 'DEVICE_OPEN_FAILED', 'cannot open the HID device', err);
    }
    this.#device = device;
    device.on('data', (data: Buffer) => {
      const report = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
      for (const l of this.#reportListeners) l(report);
    });
    device.on('error', (err: unknown) => {
      if (this.#device !== device) return;
      this.#device = undefined;
      device.removeAllListeners();
      void device.close().catch(() => undefined);
      const error = coded('DEVICE_DISCONNECTED', 'the HID device went away', err);
      for (const l of this.#closeListeners) l(error);
    });
  }

  async write(report: Uint8Array): Promise<void> {
    const device = this.#device;
    if (!device) throw coded('DEVICE_DISCONNECTED', 'the HID device is not open');
    try {
      await device.write([0x00, ...report]);
    } catch (err) {
      throw coded('DEVICE_WRITE_FAILED', 'write to the HID device failed', err);
    }
  }

  async close(): Promise<void> {
    const device = this.#device;
    if (!device) return;
    this.#device = undefined;
    device.removeAllListeners();
    await device.close().catch(() => undefined);
    for (const l of this.#closeListeners) l();
  }

  onReport(listener: (report: Uint8Array) => void): () => void {
    this.#reportListeners.add(listener);
    return () => this.#reportListeners.delete(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }
}
