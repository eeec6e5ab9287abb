import { PIN_LENGTH } from './config.js';

/**
 * The PIN as typed on the PIN pad: ASCII digits in a fixed buffer that is zeroed on every clear, after use,
 * and on wipe. Never converted to a string, never logged; the UI is told only `length`.
 */
export class PinBuffer {
  readonly #bytes = new Uint8Array(PIN_LENGTH);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  get complete(): boolean {
    return this.#length === PIN_LENGTH;
  }

  /** Appends a digit; ignored when the buffer is full. Throws on a non-digit (a driver bug). */
  push(digit: number): boolean {
    if (!Number.isInteger(digit) || digit < 0 || digit > 9)
      throw new TypeError('digit must be an integer 0-9');
    if (this.#length >= PIN_LENGTH) return false;
    this.#bytes[this.#length++] = 0x30 + digit;
    return true;
  }

  backspace(): void {
    if (this.#length === 0) return;
    this.#bytes[--this.#length] = 0;
  }

  clear(): void {
    this.#bytes.fill(0);
    this.#length = 0;
  }

  /** A copy for the card port; the caller zeroes it once the card answered. */
  take(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }

  /** For tests: whether every byte is zero. */
  isZeroed(): boolean {
    return this.#length === 0 && this.#bytes.every((b) => b === 0);
  }
}
