import { coded } from '../../../protocol/errors/index.js';
/** The card's 券面事項入力補助用暗証番号 has four digits. */
export const PIN_LENGTH = 4;

/**
 * The PIN as it is typed: ASCII digits in a fixed `Uint8Array`, inside the main process only. It never
 * becomes a string, is never logged or serialised (`toJSON` and `inspect` show only the length), and is
 * zeroed on clear, on cancel and after use.
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

  /** Appends a digit (0–9); returns false when the buffer is full. */
  push(digit: number): boolean {
    if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new TypeError('digit: 0–9 expected');
    if (this.#length >= PIN_LENGTH) return false;
    this.#bytes[this.#length++] = 0x30 + digit;
    return true;
  }

  clear(): void {
    this.#bytes.fill(0);
    this.#length = 0;
  }

  /**
   * Hands the ASCII digits to `consume` (the card driver's VERIFY) and zeroes them afterwards, also when
   * `consume` throws. The view passed in must not be kept. Throws `PINPAD_PIN_INCOMPLETE` when fewer than
   * four digits were typed.
   */
  async use<T>(consume: (asciiDigits: Uint8Array) => T | Promise<T>): Promise<T> {
    if (!this.complete) throw coded('PINPAD_PIN_INCOMPLETE', 'the PIN is incomplete');
    const copy = this.#bytes.slice();
    this.clear();
    try {
      return await consume(copy);
    } finally {
      copy.fill(0);
    }
  }

  toJSON(): { length: number } {
    return { length: this.#length };
  }

  toString(): string {
    return `[PinBuffer length=${this.#length}]`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
