/** What the relay remembers of a request it answered to a kiosk, so that kiosk may report its outcome. */
export interface Answered {
  municipality: string;
  /** An `issue.response` (sealed answer) was sent; false for an `issue.error`. */
  response: boolean;
  at: number;
  /** Outcomes accepted so far for this request. */
  outcomes: number;
  /** Outcomes already in the audit log: a kiosk resends one until acknowledged, and is acknowledged again. */
  recorded?: Set<string>;
}

export interface AnsweredOptions {
  /** Answered requests remembered per kiosk identity (the oldest are forgotten first). */
  perKiosk: number;
  /** How long after the answer an outcome is accepted. */
  ttlMs: number;
  /** Outcomes accepted per answered request (a kiosk may report `binding-mismatch`, then `cancelled`). */
  outcomesPerRequest: number;
}

export const DEFAULT_ANSWERED: AnsweredOptions = { perKiosk: 32, ttlMs: 30 * 60_000, outcomesPerRequest: 3 };

/**
 * A bounded record, per kiosk identity, of the request ids this relay process answered to that kiosk,
 * with expiry. `issue.outcome` is accepted only for one of these: a kiosk cannot report on a request it
 * made up, or on another kiosk's request, and cannot report on one request more than a few times.
 */
export class AnsweredRequests {
  readonly #byKiosk = new Map<string, Map<string, Answered>>();
  readonly #o: AnsweredOptions;

  constructor(options: Partial<AnsweredOptions> = {}) {
    this.#o = { ...DEFAULT_ANSWERED, ...options };
  }

  get kiosks(): number {
    return this.#byKiosk.size;
  }

  record(kioskId: string, requestId: string, municipality: string, response: boolean, now: number): void {
    let m = this.#byKiosk.get(kioskId);
    if (m === undefined) this.#byKiosk.set(kioskId, (m = new Map()));
    m.delete(requestId);
    m.set(requestId, { municipality, response, at: now, outcomes: 0 });
    if (m.size > this.#o.perKiosk) m.delete(m.keys().next().value as string);
  }

  /**
   * The answered request an outcome refers to (counting the outcome), `'recorded'` when this very outcome is
   * already in the audit log (a resend whose acknowledgement was lost: acknowledge again, record nothing), or
   * undefined: not ours to accept.
   */
  take(kioskId: string, requestId: string, now: number, outcome?: string): Answered | 'recorded' | undefined {
    const a = this.#byKiosk.get(kioskId)?.get(requestId);
    if (a === undefined || now - a.at > this.#o.ttlMs) return;
    if (outcome !== undefined && a.recorded?.has(outcome)) return 'recorded';
    if (a.outcomes >= this.#o.outcomesPerRequest) return;
    a.outcomes++;
    return a;
  }

  /** Whether this process remembers the request (expired or not). */
  knows(kioskId: string, requestId: string): boolean {
    return this.#byKiosk.get(kioskId)?.has(requestId) ?? false;
  }

  /** Notes that an outcome of this request is in the audit log. */
  recorded(kioskId: string, requestId: string, outcome: string): void {
    const a = this.#byKiosk.get(kioskId)?.get(requestId);
    if (a !== undefined) (a.recorded ??= new Set()).add(outcome);
  }

  /** Forgets expired entries (called now and then). */
  sweep(now: number): void {
    for (const [k, m] of this.#byKiosk) {
      for (const [id, a] of m) if (now - a.at > this.#o.ttlMs) m.delete(id);
      if (m.size === 0) this.#byKiosk.delete(k);
    }
  }
}
