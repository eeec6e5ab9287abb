import type { HidTransport, HidTransportFactory } from '../transport.js';
import type { Logger } from '../../../common/log.js';
import { BootKeyboardDecoder, keyOfUsage } from './boot-report.js';
import { PinBuffer } from './pin-buffer.js';

/** What the UI may learn: never a digit, only how many. */
export type PinPadEvent =
  | { type: 'digits'; count: number }
  | { type: 'enter'; complete: boolean }
  | { type: 'cancel' }
  | { type: 'cleared' };

export interface PinPadOptions {
  connect: HidTransportFactory;
  backoff?: { initialMs?: number; maxMs?: number };
  logger?: Logger;
}

/** LED output report bits (boot keyboard). */
export const LED = { numLock: 1, capsLock: 2, scrollLock: 4 } as const;

/**
 * A USB HID numeric keypad used as the PIN pad. Keys count only during a PIN entry (`startEntry()`):
 * digits go into a `PinBuffer` (max 4), Backspace clears it, Escape cancels, Enter with four digits makes
 * the PIN ready for `takePin()` (the card driver, in the main process). The Num Lock LED is lit while an
 * entry is open. Reconnects with backoff when the keypad is unplugged and comes back.
 */
export class PinPad {
  readonly #connect: HidTransportFactory;
  readonly #backoff: { initialMs: number; maxMs: number };
  readonly #log: Logger | undefined;
  readonly #decoder = new BootKeyboardDecoder();
  readonly #listeners = new Set<(e: PinPadEvent) => void>();
  readonly #connListeners = new Set<(connected: boolean) => void>();
  #transport: HidTransport | undefined;
  #unsubscribe: (() => void)[] = [];
  #stopped = true;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #delay: number;
  #entry = false;
  #pin = new PinBuffer();
  #ready: PinBuffer | undefined;

  constructor(options: PinPadOptions) {
    if (typeof options?.connect !== 'function')
      throw new TypeError('options.connect: a transport factory is required');
    this.#connect = options.connect;
    this.#backoff = { initialMs: options.backoff?.initialMs ?? 250, maxMs: options.backoff?.maxMs ?? 5000 };
    this.#delay = this.#backoff.initialMs;
    this.#log = options.logger;
  }

  get connected(): boolean {
    return this.#transport?.isOpen ?? false;
  }

  onEvent(listener: (e: PinPadEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.#connListeners.add(listener);
    return () => this.#connListeners.delete(listener);
  }

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    await this.#open();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.endEntry();
    const t = this.#transport;
    this.#detach();
    await t?.close().catch(() => undefined);
  }

  /** Opens a PIN entry: an empty buffer, keys accepted, Num Lock LED on. */
  startEntry(): void {
    this.#pin.clear();
    this.#ready?.clear();
    this.#ready = undefined;
    this.#entry = true;
    void this.#setLeds(LED.numLock);
  }

  /** Closes the entry: digits typed and not taken are zeroed, keys ignored, LED off. */
  endEntry(): void {
    this.#entry = false;
    this.#pin.clear();
    this.#ready?.clear();
    this.#ready = undefined;
    void this.#setLeds(0);
  }

  /**
   * The PIN confirmed with Enter, for the card driver: the caller owns it and must `use()` it (which
   * zeroes it). Returns `undefined` when no complete PIN is waiting.
   */
  takePin(): PinBuffer | undefined {
    const pin = this.#ready;
    this.#ready = undefined;
    return pin;
  }

  async #setLeds(bits: number): Promise<void> {
    const t = this.#transport;
    if (!t?.isOpen) return;
    await t.write(new Uint8Array([bits])).catch(() => undefined);
  }

  async #open(): Promise<void> {
    if (this.#stopped) return;
    const t = this.#connect();
    try {
      await t.open();
    } catch (err) {
      this.#log?.debug('pinpad.open-failed', {
        code: (err as { code?: string }).code ?? 'DEVICE_OPEN_FAILED',
      });
      this.#scheduleRetry();
      return;
    }
    if (this.#stopped) {
      await t.close().catch(() => undefined);
      return;
    }
    this.#transport = t;
    this.#decoder.reset();
    this.#delay = this.#backoff.initialMs;
    this.#unsubscribe = [
      t.onReport((r) => this.#onReport(r)),
      t.onClose(() => {
        if (this.#transport !== t) return;
        this.#detach();
        this.#log?.warn('pinpad.disconnected', { code: 'DEVICE_DISCONNECTED' });
        if (this.#pin.length > 0) {
          this.#pin.clear();
          this.#emit({ type: 'cleared' });
        }
        for (const l of this.#connListeners) l(false);
        this.#scheduleRetry();
      }),
    ];
    this.#log?.info('pinpad.connected');
    for (const l of this.#connListeners) l(true);
    await this.#setLeds(this.#entry ? LED.numLock : 0);
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    clearTimeout(this.#retry);
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#backoff.maxMs);
    this.#retry = setTimeout(() => void this.#open(), delay);
  }

  #detach(): void {
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
    this.#transport = undefined;
  }

  #onReport(report: Uint8Array): void {
    const change = this.#decoder.push(report);
    if (!change.ok) {
      this.#log?.warn('pinpad.bad-report', { code: change.code, length: report.length });
      return;
    }
    for (const usage of change.pressed) this.#onPress(usage);
  }

  #onPress(usage: number): void {
    if (!this.#entry) return;
    const key = keyOfUsage(usage);
    switch (key.type) {
      case 'digit':
        if (this.#pin.push(key.digit)) this.#emit({ type: 'digits', count: this.#pin.length });
        return;
      case 'clear':
        this.#pin.clear();
        this.#emit({ type: 'cleared' });
        return;
      case 'cancel':
        this.#pin.clear();
        this.#ready?.clear();
        this.#ready = undefined;
        this.#emit({ type: 'cancel' });
        return;
      case 'enter': {
        const complete = this.#pin.complete;
        if (complete) {
          this.#ready?.clear();
          this.#ready = this.#pin;
          this.#pin = new PinBuffer();
        }
        this.#emit({ type: 'enter', complete });
        return;
      }
      case 'other':
        return;
      default: {
        const never: never = key;
        return never;
      }
    }
  }

  #emit(e: PinPadEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
