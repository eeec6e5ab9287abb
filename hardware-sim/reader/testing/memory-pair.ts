import type { SerialTransport } from '../../../kiosk/drivers/transport.js';
import { coded } from '../../../protocol/errors/index.js';

/** One end of an in-memory serial cable: bytes written here arrive (asynchronously) at the other end. */
class MemoryEnd implements SerialTransport {
  peer: MemoryEnd | undefined;
  #open = false;
  readonly #data = new Set<(chunk: Uint8Array) => void>();
  readonly #close = new Set<(error?: Error) => void>();

  get isOpen(): boolean {
    return this.#open;
  }
  async open(): Promise<void> {
    this.#open = true;
  }
  async write(data: Uint8Array): Promise<void> {
    if (!this.#open) throw coded('DEVICE_DISCONNECTED', 'not open');
    const copy = data.slice();
    const peer = this.peer;
    setImmediate(() => {
      if (peer?.isOpen) for (const l of peer.#data) l(copy);
    });
  }
  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    for (const l of this.#close) l();
  }
  onData(listener: (chunk: Uint8Array) => void): () => void {
    this.#data.add(listener);
    return () => this.#data.delete(listener);
  }
  onClose(listener: (error?: Error) => void): () => void {
    this.#close.add(listener);
    return () => this.#close.delete(listener);
  }
}

/** An in-memory serial cable for fast protocol tests (the pty tests cover the real line). */
export function memorySerialPair(): { host: SerialTransport; device: SerialTransport } {
  const host = new MemoryEnd();
  const device = new MemoryEnd();
  host.peer = device;
  device.peer = host;
  return { host, device };
}
