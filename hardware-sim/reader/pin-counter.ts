/** PIN objects of the card allow 3 tries (docs/reference.md §3.2, §3.6). */
export const PIN_TRIES_MAX = 3;

/** Where the card keeps one PIN's retry counter (persisted per card and PIN by the device). */
export interface PinCounter {
  get(): number;
  set(remaining: number): void;
}
