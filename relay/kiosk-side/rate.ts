import { z } from 'zod';

/** The kinds of kiosk message that are rate-limited, each with its own token bucket. */
export const RATE_CLASSES = ['request', 'outcome', 'heartbeat', 'municipalities'] as const;
export type RateClass = (typeof RATE_CLASSES)[number];

export const Rate = z.object({
  /** Tokens added per second. */
  perSecond: z.number().positive().max(1_000_000),
  /** Bucket size: how many may arrive at once. */
  burst: z.number().int().min(1).max(1_000_000),
});
export type Rate = z.infer<typeof Rate>;
export type KioskRates = Record<RateClass, Rate>;

/**
 * What one kiosk may send. A real kiosk sends one `issue.request` per resident (a transaction takes a
 * minute or more), at most a few `issue.outcome`s per answered request, a heartbeat every 30 s and a
 * municipality list now and then; these limits leave it an order of magnitude of room. A load generator
 * that plays many kiosks through one session (the forwarding benchmark) raises `request`.
 */
export const DEFAULT_KIOSK_RATES: KioskRates = {
  request: { perSecond: 5, burst: 32 },
  outcome: { perSecond: 5, burst: 32 },
  heartbeat: { perSecond: 1, burst: 5 },
  municipalities: { perSecond: 1, burst: 5 },
};

const INDEX: Record<RateClass, number> = { request: 0, outcome: 1, heartbeat: 2, municipalities: 3 };
const N = RATE_CLASSES.length;

/**
 * One token bucket per message class for one kiosk identity, in 64 bytes (tens of thousands are held).
 * A session that replaces an earlier one of the same identity on this process inherits its buckets, so
 * reconnecting does not refill them (reconnecting often is itself limited: flapping).
 */
export class RateBuckets {
  readonly #v = new Float64Array(2 * N); // tokens[0..N), last refill time (ms)[N..2N)

  constructor(rates: KioskRates, now: number) {
    for (const c of RATE_CLASSES) {
      this.#v[INDEX[c]] = rates[c].burst;
      this.#v[N + INDEX[c]] = now;
    }
  }

  /** Takes one token of `cls`; false when its bucket is empty (the message exceeds the rate). */
  take(cls: RateClass, rates: KioskRates, now: number): boolean {
    const i = INDEX[cls];
    const r = rates[cls];
    const elapsed = Math.max(0, now - (this.#v[N + i] as number));
    const tokens = Math.min(r.burst, (this.#v[i] as number) + (elapsed * r.perSecond) / 1000);
    this.#v[N + i] = now;
    if (tokens < 1) {
      this.#v[i] = tokens;
      return false;
    }
    this.#v[i] = tokens - 1;
    return true;
  }
}
