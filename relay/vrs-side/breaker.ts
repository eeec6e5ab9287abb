export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial request is let through. */
  cooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 5, cooldownMs: 5_000 };

/**
 * A circuit breaker for one VRS endpoint. Closed: requests flow. After `failureThreshold` consecutive
 * failures (timeouts, lost link) it opens and refuses requests for `cooldownMs`; then it lets one trial
 * through (half-open): success closes it, failure opens it again.
 */
export class CircuitBreaker {
  readonly #opts: BreakerOptions;
  readonly #now: () => number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(opts: Partial<BreakerOptions> = {}, now: () => number = Date.now) {
    this.#opts = { ...DEFAULT_BREAKER, ...opts };
    this.#now = now;
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#opts.cooldownMs) return 'half-open';
    return this.#state;
  }

  /** Whether a request may go to this endpoint now (in half-open, only one at a time). */
  allow(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open') return false;
    if (this.#trialInFlight) return false;
    this.#state = 'half-open';
    this.#trialInFlight = true;
    return true;
  }

  success(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#trialInFlight = false;
  }

  failure(): void {
    this.#trialInFlight = false;
    this.#failures++;
    if (this.#state === 'half-open' || this.#failures >= this.#opts.failureThreshold) {
      this.#state = 'open';
      this.#openedAt = this.#now();
    }
  }
}
