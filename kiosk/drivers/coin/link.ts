import type { SerialTransport, SerialTransportFactory } from '../transport.js';

/**
 * Keeps one serial device connected: opens a fresh transport from the factory, runs `onUp` (device
 * initialisation; false = try again later), and after an unexpected close calls `onDown` and retries
 * with exponential backoff.
 */
export class DeviceLink {
  #transport: SerialTransport | undefined;
  #offClose: (() => void) | undefined;
  #stopped = true;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #delay: number;

  constructor(
    private readonly factory: SerialTransportFactory,
    private readonly onUp: (t: SerialTransport) => Promise<boolean>,
    private readonly onDown: () => void,
    private readonly backoff: { initialMs: number; maxMs: number },
  ) {
    this.#delay = backoff.initialMs;
  }

  /** The transport while the device is up. */
  get transport(): SerialTransport | undefined {
    return this.#transport;
  }

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    await this.#attempt();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const t = this.#transport;
    this.#offClose?.();
    this.#transport = undefined;
    await t?.close().catch(() => undefined);
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    const t = this.factory();
    try {
      await t.open();
    } catch {
      return this.#retry();
    }
    const off = t.onClose(() => {
      if (this.#transport !== t) return;
      off();
      this.#transport = undefined;
      this.onDown();
      this.#retry();
    });
    this.#transport = t;
    let up = false;
    try {
      up = await this.onUp(t);
    } catch {
      up = false;
    }
    if (this.#stopped) return;
    if (!up) {
      off();
      this.#transport = undefined;
      await t.close().catch(() => undefined);
      this.onDown();
      return this.#retry();
    }
    this.#offClose = off;
    this.#delay = this.backoff.initialMs;
  }

  #retry(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.backoff.maxMs);
    this.#timer = setTimeout(() => void this.#attempt(), delay);
  }
}
