/** Reconnection delays: exponential with "full jitter" (a uniform draw below the exponential cap). */
export interface BackoffOptions {
  /** First cap, in ms (default 500). */
  readonly baseMs?: number;
  /** Largest delay, in ms (default 30 000). */
  readonly maxMs?: number;
  /** Uniform [0, 1); injectable for tests. */
  readonly random?: () => number;
}

/**
 * Delay before reconnect attempt `attempt` (0 for the first retry): uniform in
 * [cap / 2, cap] with cap = min(maxMs, baseMs · 2^attempt). Half the cap is kept so a fleet of kiosks that
 * lost the line together spreads out without retrying in a tight loop.
 * @example nextDelay(0) // 250–500 ms; nextDelay(10) // 15–30 s
 */
export function nextDelay(attempt: number, options: BackoffOptions = {}): number {
  if (!Number.isInteger(attempt) || attempt < 0)
    throw new TypeError('attempt: non-negative integer expected');
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const cap = Math.min(max, base * 2 ** Math.min(attempt, 30));
  const r = (options.random ?? Math.random)();
  return Math.round(cap / 2 + (cap / 2) * r);
}
