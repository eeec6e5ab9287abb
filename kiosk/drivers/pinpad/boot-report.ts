/**
 * USB HID boot keyboard input reports (HID 1.11 appendix B; usages from the Keyboard/Keypad page 0x07):
 * 8 bytes = modifier bits, reserved, then up to six usages of keys held down. A press is a usage
 * appearing, a release its disappearance. When more keys are held than fit, the device sends
 * ErrorRollOver (0x01) in every slot: that report says nothing about which keys changed and is ignored.
 */
export const BOOT_REPORT_LENGTH = 8;

export const USAGE = {
  errorRollOver: 0x01,
  escape: 0x29,
  backspace: 0x2a,
  numLock: 0x53,
  keypadEnter: 0x58,
  keypad1: 0x59,
  keypad9: 0x61,
  keypad0: 0x62,
  keypadDot: 0x63,
} as const;

/** The keys a PIN pad has. */
export type PinPadKey =
  | { type: 'digit'; digit: number }
  | { type: 'enter' }
  | { type: 'clear' }
  | { type: 'cancel' }
  | { type: 'other'; usage: number };

export function keyOfUsage(usage: number): PinPadKey {
  if (usage >= USAGE.keypad1 && usage <= USAGE.keypad9)
    return { type: 'digit', digit: usage - USAGE.keypad1 + 1 };
  if (usage === USAGE.keypad0) return { type: 'digit', digit: 0 };
  if (usage === USAGE.keypadEnter) return { type: 'enter' };
  if (usage === USAGE.backspace) return { type: 'clear' };
  if (usage === USAGE.escape) return { type: 'cancel' };
  return { type: 'other', usage };
}

export function usageOfDigit(digit: number): number {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new TypeError('digit: 0–9 expected');
  return digit === 0 ? USAGE.keypad0 : USAGE.keypad1 + digit - 1;
}

/** Encodes the keys held down as a boot report (more than six gives ErrorRollOver, as devices do). */
export function encodeBootReport(held: readonly number[], modifiers = 0): Uint8Array {
  const r = new Uint8Array(BOOT_REPORT_LENGTH);
  r[0] = modifiers & 0xff;
  if (held.length > 6) r.fill(USAGE.errorRollOver, 2);
  else held.forEach((u, i) => (r[2 + i] = u));
  return r;
}

export type ReportChange =
  { ok: true; pressed: number[]; released: number[] } | { ok: false; code: 'PINPAD_BAD_REPORT' };

/** Turns successive input reports into key presses and releases. */
export class BootKeyboardDecoder {
  #held: number[] = [];

  /** Forgets the held keys (after a reconnect). */
  reset(): void {
    this.#held = [];
  }

  push(report: Uint8Array): ReportChange {
    if (!(report instanceof Uint8Array) || report.length !== BOOT_REPORT_LENGTH)
      return { ok: false, code: 'PINPAD_BAD_REPORT' };
    const slots = [...report.subarray(2)];
    // ErrorRollOver / POSTFail / ErrorUndefined: the phantom state; keep the previous keys.
    if (slots.some((u) => u >= 0x01 && u <= 0x03)) return { ok: true, pressed: [], released: [] };
    const now = slots.filter((u) => u !== 0);
    const pressed = now.filter((u) => !this.#held.includes(u));
    const released = this.#held.filter((u) => !now.includes(u));
    this.#held = now;
    return { ok: true, pressed, released };
  }
}
