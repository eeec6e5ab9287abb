import { WebSocket } from 'ws';
import { coded } from '../../../protocol/errors/index.js';
import type { HidTransport } from '../transport.js';

/**
 * A `HidTransport` to the simulated PIN pad in another process (`npm run sim` prints its URL as
 * `"pinpad"`): raw 8-byte input reports arrive as binary WebSocket messages; output reports are sent the
 * same way. Only loopback URLs are accepted. A refused upgrade (404: unplugged) is `DEVICE_NOT_FOUND`; a
 * connection that ends without `close()` is reported as `DEVICE_DISCONNECTED`.
 */
export class LoopbackHidTransport implements HidTransport {
  readonly #url: string;
  #ws: WebSocket | undefined;
  #closing = false;
  readonly #reportListeners = new Set<(r: Uint8Array) => void>();
  readonly #closeListeners = new Set<(error?: Error) => void>();

  constructor(url: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError('url: a ws:// URL is required');
    }
    if (parsed.protocol !== 'ws:' || !/^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(parsed.hostname))
      throw new TypeError('url: a ws:// URL on loopback is required');
    this.#url = url;
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    this.#closing = false;
    const ws = new WebSocket(this.#url, { maxPayload: 64, handshakeTimeout: 3000 });
    ws.binaryType = 'nodebuffer';
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        reject(
          res.statusCode === 404
            ? coded('DEVICE_NOT_FOUND', 'the PIN pad is not plugged in')
            : coded(
                'DEVICE_OPEN_FAILED',
                `the PIN pad bridge refused the connection (${res.statusCode ?? 0})`,
              ),
        );
      });
      ws.once('error', (err) =>
        reject(coded('DEVICE_NOT_FOUND', 'the PIN pad bridge is not reachable', err)),
      );
    });
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      const report = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
      for (const l of this.#reportListeners) l(report);
    });
    ws.on('close', () => {
      if (this.#ws === ws) this.#ws = undefined;
      const error = this.#closing ? undefined : coded('DEVICE_DISCONNECTED', 'the PIN pad went away');
      for (const l of this.#closeListeners) l(error);
    });
    this.#ws = ws;
  }

  async write(report: Uint8Array): Promise<void> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN)
      throw coded('DEVICE_DISCONNECTED', 'the PIN pad is not open');
    await new Promise<void>((resolve, reject) =>
      ws.send(report, { binary: true }, (err) =>
        err ? reject(coded('DEVICE_WRITE_FAILED', 'write to the PIN pad failed', err)) : resolve(),
      ),
    );
  }

  async close(): Promise<void> {
    const ws = this.#ws;
    if (!ws) return;
    this.#closing = true;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
      setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000).unref();
    });
    this.#ws = undefined;
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
