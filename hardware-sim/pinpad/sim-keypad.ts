import type { HidTransport } from '../../kiosk/drivers/transport.js';
import { coded } from '../../protocol/errors/index.js';
import { USAGE, encodeBootReport, usageOfDigit } from '../../kiosk/drivers/pinpad/boot-report.js';
import type { SimEventLog } from '../core/events.js';

/** Panel key letters: digits, E = Enter, C = clear (Backspace), X = cancel (Escape). */
export function usageOfKeyLetter(k: string): number {
  if (/^[0-9]$/.test(k)) return usageOfDigit(Number(k));
  if (k === 'E') return USAGE.keypadEnter;
  if (k === 'C') return USAGE.backspace;
  if (k === 'X') return USAGE.escape;
  throw new TypeError(`keys: unknown key ${JSON.stringify(k)} (0-9, E, C, X)`);
}

/**
 * A numeric keypad in the boot keyboard protocol, in process (this machine has no virtual HID). It keeps
 * the set of keys held, sends an 8-byte report on every change (ErrorRollOver beyond six keys), receives
 * the 1-byte LED output report, and can be unplugged (every open transport closes with
 * `DEVICE_DISCONNECTED`; opens fail with `DEVICE_NOT_FOUND` until plugged again).
 */
export class SimKeypad {
  readonly #events: SimEventLog | undefined;
  #held: number[] = [];
  #leds = 0;
  #plugged = true;
  readonly #transports = new Set<SimHidTransport>();
  readonly #reportListeners = new Set<(r: Uint8Array) => void>();
  readonly #plugListeners = new Set<(plugged: boolean) => void>();

  constructor(events?: SimEventLog) {
    this.#events = events;
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  get leds(): number {
    return this.#leds;
  }

  get held(): readonly number[] {
    return this.#held;
  }

  /** An in-process `HidTransport` to this keypad, as `node-hid` would give for the real one. */
  createTransport(): HidTransport {
    return new SimHidTransport(this);
  }

  /** Every report the keypad sends (used by the loopback bridge). */
  onReport(listener: (r: Uint8Array) => void): () => void {
    this.#reportListeners.add(listener);
    return () => this.#reportListeners.delete(listener);
  }

  onPlugChange(listener: (plugged: boolean) => void): () => void {
    this.#plugListeners.add(listener);
    return () => this.#plugListeners.delete(listener);
  }

  press(usage: number): void {
    if (!this.#plugged || this.#held.includes(usage)) return;
    this.#held.push(usage);
    this.#send();
  }

  release(usage: number): void {
    if (!this.#held.includes(usage)) return;
    this.#held = this.#held.filter((u) => u !== usage);
    if (this.#plugged) this.#send();
  }

  /** Types `keys` (e.g. `"1234E"`) one key at a time: press, hold, release. Logs only the count. */
  async type(keys: string, holdMs = 15): Promise<void> {
    const usages = [...keys].map(usageOfKeyLetter);
    this.#events?.emit('pinpad', 'keys', { count: usages.length });
    for (const u of usages) {
      this.press(u);
      await new Promise((r) => setTimeout(r, holdMs));
      this.release(u);
      await new Promise((r) => setTimeout(r, holdMs));
    }
  }

  /** Receives an output report from the host (LEDs). */
  output(report: Uint8Array): void {
    if (report.length < 1) return;
    const leds = report[report.length - 1]! & 0x07;
    if (leds !== this.#leds) {
      this.#leds = leds;
      this.#events?.emit('pinpad', 'leds', { numLock: (leds & 1) !== 0 });
    }
  }

  unplug(): void {
    if (!this.#plugged) return;
    this.#plugged = false;
    this.#held = [];
    this.#leds = 0;
    this.#events?.emit('pinpad', 'unplugged');
    for (const t of [...this.#transports]) t.lost();
    for (const l of this.#plugListeners) l(false);
  }

  plug(): void {
    if (this.#plugged) return;
    this.#plugged = true;
    this.#events?.emit('pinpad', 'plugged');
    for (const l of this.#plugListeners) l(true);
  }

  /** @internal */
  attach(t: SimHidTransport): void {
    if (!this.#plugged) throw coded('DEVICE_NOT_FOUND', 'the PIN pad is not plugged in');
    this.#transports.add(t);
  }

  /** @internal */
  detach(t: SimHidTransport): void {
    this.#transports.delete(t);
  }

  #send(): void {
    const report = encodeBootReport(this.#held);
    for (const t of this.#transports) t.deliver(report.slice());
    for (const l of this.#reportListeners) l(report.slice());
  }
}

/** The in-process transport to a `SimKeypad`. Reports arrive asynchronously, as from a USB endpoint. */
class SimHidTransport implements HidTransport {
  #open = false;
  readonly #reportListeners = new Set<(r: Uint8Array) => void>();
  readonly #closeListeners = new Set<(error?: Error) => void>();

  constructor(private readonly keypad: SimKeypad) {}

  get isOpen(): boolean {
    return this.#open;
  }

  async open(): Promise<void> {
    if (this.#open) return;
    this.keypad.attach(this);
    this.#open = true;
  }

  async write(report: Uint8Array): Promise<void> {
    if (!this.#open) throw coded('DEVICE_DISCONNECTED', 'the PIN pad is not open');
    this.keypad.output(report);
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.keypad.detach(this);
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

  deliver(report: Uint8Array): void {
    setImmediate(() => {
      if (!this.#open) return;
      for (const l of this.#reportListeners) l(report);
    });
  }

  lost(): void {
    if (!this.#open) return;
    this.#open = false;
    this.keypad.detach(this);
    const err = coded('DEVICE_DISCONNECTED', 'the PIN pad was unplugged');
    setImmediate(() => {
      for (const l of this.#closeListeners) l(err);
    });
  }
}
