import type { Principal } from './operators.js';

/**
 * How long after its last check against the database a session or API token may still be honoured, read-only,
 * while the database is unreachable (10 min). This is also the longest a revoked or disabled operator can keep
 * reading on a process that missed the revocation (see `VerifiedCache`).
 */
export const OUTAGE_GRACE_MS = 10 * 60_000;
/** Entries kept at most (the oldest go first): a process serves a few dozen operators and their scripts. */
export const VERIFIED_CACHE_MAX = 10_000;

interface Entry {
  principal: Principal;
  verifiedAt: number;
  /** Sessions: used last (moves the idle deadline in memory while the database is away). */
  lastUsedAt: number;
  /** Sessions: the absolute end. */
  expiresAt: number | undefined;
}

/**
 * The sessions and API tokens this process verified against the database recently, so an operator still
 * sees the relay's status while the database is unreachable. It is a fallback only: while the database
 * answers, every request is checked there (a revocation is in force at once). When it does not answer, an
 * entry verified within `OUTAGE_GRACE_MS` is honoured as `degraded` (read-only: the API refuses every change),
 * with the session's idle and absolute limits still applied. Entries are keyed by the secret's SHA-256 (never
 * the secret) and dropped when the operator logs out, is disabled or replaced, on this process at once and on
 * every other through the cluster's notices, and all of them when the cluster subscription had a gap (notices
 * may have been lost).
 */
export class VerifiedCache {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #idleMs: number;
  readonly #graceMs: number;

  constructor(now: () => number, idleMs: number, graceMs = OUTAGE_GRACE_MS) {
    this.#now = now;
    this.#idleMs = idleMs;
    this.#graceMs = graceMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  remember(key: string, principal: Principal, expiresAt?: number): void {
    const now = this.#now();
    this.#entries.delete(key);
    this.#entries.set(key, { principal, verifiedAt: now, lastUsedAt: now, expiresAt });
    if (this.#entries.size > VERIFIED_CACHE_MAX) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** The principal behind `key` for a request made while the database is unreachable, or undefined. */
  recall(key: string): Principal | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    const now = this.#now();
    const session = e.principal.via === 'session';
    const over =
      now - e.verifiedAt > this.#graceMs ||
      (session && now - e.lastUsedAt >= this.#idleMs) ||
      (e.expiresAt !== undefined && now >= e.expiresAt);
    if (over) {
      this.#entries.delete(key);
      return undefined;
    }
    e.lastUsedAt = now;
    return { ...e.principal, degraded: true };
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  forgetOperator(name: string): void {
    for (const [k, e] of this.#entries) if (e.principal.name === name) this.#entries.delete(k);
  }

  clear(): void {
    this.#entries.clear();
  }
}
