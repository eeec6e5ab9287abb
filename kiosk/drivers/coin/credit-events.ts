/**
 * Header 229 "Read buffered credit or error codes": `[event counter] [A1 B1] … [A5 B5]`, newest first.
 * The counter goes 1…255 and wraps to 1; 0 only after power-up or reset. A non-zero A is a credit on coin
 * channel A (B = sorter path); A = 0 means B is an error code (0 = no event).
 */
export type AcceptorEvent = { type: 'credit'; channel: number } | { type: 'error'; code: number };

/** Acceptor error codes (ccTalk table 2) the kiosk treats specially. */
export const ACCEPTOR_ERROR = {
  nullEvent: 0,
  rejectCoin: 1,
  inhibitedCoin: 2,
  creditSensorBlocked: 14,
  coinReturnMechanism: 254,
} as const;

export type BufferReadResult =
  | { ok: true; counter: number; events: AcceptorEvent[]; lost: number; reset: boolean }
  | { ok: false; code: 'COIN_BAD_FRAME' };

/** How many events happened between counter `last` and `now` (skipping 0 on wrap). */
export function eventsBetween(last: number, now: number): number {
  if (now === last) return 0;
  return now > last ? now - last : 255 - last + now;
}

/**
 * Turns a 229 reply into the new events since `last` (oldest first). A repeated poll (same counter) gives
 * none; a lost reply is made up by the next poll (counter advanced by 2 → 2 events). More than 5 events
 * since the last poll: `lost` > 0. Counter 0 after non-zero: the device was reset; events are lost.
 */
export function readCreditBuffer(data: Uint8Array, last: number | undefined): BufferReadResult {
  if (data.length !== 11) return { ok: false, code: 'COIN_BAD_FRAME' };
  const counter = data[0]!;
  if (last === undefined) return { ok: true, counter, events: [], lost: 0, reset: false };
  if (counter === 0) return { ok: true, counter, events: [], lost: 0, reset: last !== 0 };
  const n = eventsBetween(last, counter);
  const take = Math.min(n, 5);
  const events: AcceptorEvent[] = [];
  for (let i = take - 1; i >= 0; i--) {
    const a = data[1 + 2 * i]!;
    const b = data[2 + 2 * i]!;
    events.push(a !== 0 ? { type: 'credit', channel: a } : { type: 'error', code: b });
  }
  return { ok: true, counter, events, lost: n - take, reset: false };
}
