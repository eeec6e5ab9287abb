import { z } from 'zod';

/** A lone UTF-16 surrogate: a `\ud800`-style JSON escape with no partner. In `u` mode pairs are one code point. */
const LONE_SURROGATE = /\p{Cs}/u;
/** What text crossing a boundary may not hold: a lone surrogate, or U+0000 (PostgreSQL text cannot hold it). */
const NOT_STORABLE = /[\p{Cs}\0]/u;

/**
 * Whether `s` is well-formed Unicode (no lone surrogate). JSON text may carry `"\ud800"`, which parses to a
 * JavaScript string that cannot be encoded as UTF-8: PostgreSQL refuses it in `jsonb` (the audit log, alerts)
 * and in `text`, and a UTF-8 encoder silently turns it into U+FFFD. So it is refused where it enters.
 */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Whether `s` is well-formed Unicode without U+0000: text every store and encoder takes as it is. */
export function isStorableText(s: string): boolean {
  return !NOT_STORABLE.test(s);
}

/** The message of the schema issue raised for such text. */
export const NOT_WELL_FORMED = 'not well-formed Unicode (lone surrogate) or U+0000';

/**
 * THE schema of free text that crosses a trust boundary (messages on the line and the LGWAN link, operations
 * API bodies and queries, `POST /enroll`, configuration): a string of `min`…`max` UTF-16 units that is
 * well-formed Unicode without U+0000. Use it for every text field whose characters are not already fixed by a
 * regex.
 */
export function text(max: number, min = 0): z.ZodString {
  if (!Number.isInteger(max) || max < 0) throw new TypeError('max: non-negative integer expected');
  return z.string().min(min).max(max).refine(isStorableText, { message: NOT_WELL_FORMED });
}
