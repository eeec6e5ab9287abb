import type { Logger } from '../../../common/log.js';
import type { ApResult } from './ap.js';
import { CardSession, checkPin, type CardReaderPort, type MyNumberCardData } from './session.js';

export type ReadCardResult =
  | ({ ok: true } & { data: MyNumberCardData; remainingBefore: number })
  | { ok: false; code: 'CARD_PIN_WRONG'; remaining: number }
  | Extract<ApResult<object>, { ok: false }>;

/**
 * One whole read: wait for the card, read the retry counter (a locked card is refused without a VERIFY),
 * VERIFY once with `pin` (ASCII digits, zeroed by this function), read everything, release the card.
 *
 * @example
 * const r = await readCard({ reader, pin: Uint8Array.from('1234', (c) => c.charCodeAt(0)), timeoutMs: 30_000 });
 * if (!r.ok) show(r.code); else send(r.data.files);
 */
export async function readCard(options: {
  reader: CardReaderPort;
  pin: Uint8Array;
  timeoutMs?: number;
  logger?: Logger;
}): Promise<ReadCardResult> {
  const pin = options?.pin;
  try {
    checkPin(pin);
    const session = new CardSession({
      reader: options.reader,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const w = await session.waitForCard({ timeoutMs: options.timeoutMs ?? 10_000 });
    if (!w.ok) return w;
    const c = await session.readRetryCounter();
    if (!c.ok) return c;
    const r = await session.verifyAndRead(pin);
    if (!r.ok) {
      await session.end();
      return r;
    }
    return { ok: true, data: r.data, remainingBefore: c.remaining };
  } finally {
    if (pin instanceof Uint8Array) pin.fill(0);
  }
}
