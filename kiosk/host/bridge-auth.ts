import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../common/log.js';
import { BRIDGE_LAUNCH_PREFIX, BRIDGE_PROTOCOL, BRIDGE_SESSION_PREFIX } from './bridge-protocol.js';

/** A secret the renderer presents in the WebSocket upgrade (`Sec-WebSocket-Protocol`). */
export interface BridgeCredential {
  kind: 'launch' | 'session';
  secret: string;
}

/** 32 random bytes, base64url without padding. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Parses the `Sec-WebSocket-Protocol` header of a bridge upgrade: exactly the bridge's protocol name and one
 * credential (`launch.<secret>` or `session.<secret>`), in any order, nothing else. Anything else is null.
 * Pure, total over `unknown` (fuzzed).
 */
export function parseBridgeCredential(header: unknown): BridgeCredential | null {
  if (typeof header !== 'string' || header.length > 256) return null;
  const items = header.split(',').map((s) => s.trim());
  if (items.length !== 2 || !items.includes(BRIDGE_PROTOCOL)) return null;
  const other = items.find((s) => s !== BRIDGE_PROTOCOL);
  if (other === undefined) return null;
  for (const [kind, prefix] of [
    ['launch', BRIDGE_LAUNCH_PREFIX],
    ['session', BRIDGE_SESSION_PREFIX],
  ] as const) {
    if (other.startsWith(prefix)) {
      const secret = other.slice(prefix.length);
      return SECRET.test(secret) ? { kind, secret } : null;
    }
  }
  return null;
}

export type BridgeAuthResult =
  | { ok: true; via: 'launch'; session: string }
  | { ok: true; via: 'session' }
  | { ok: false; reason: 'launch-not-valid' | 'session-not-valid' };

const newSecret = () => randomBytes(32).toString('base64url');

function same(a: string | null, b: string): boolean {
  if (a === null) return false;
  const x = Buffer.from(a, 'base64url');
  const y = Buffer.from(b, 'base64url');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}

/**
 * Who may drive the kiosk over the loopback bridge: the ONE renderer the host's owner opened.
 *
 * The owner mints a one-time launch secret (`mintLaunch`) and hands it to the window it opens, in the URL
 * fragment (never sent over HTTP, stripped by the page at once). The first upgrade that presents it
 * consumes it and is given a session secret, which the page keeps in its `sessionStorage` (its tab only)
 * to reconnect after the reload that ends every transaction. A new launch ends the previous session, so at
 * most one renderer holds a valid secret. Comparison is constant-time.
 */
export class BridgeAuth {
  #launch: string | null = null;
  #session: string | null = null;

  /** A fresh one-time launch secret; any launch secret not yet used stops working. */
  mintLaunch(): string {
    this.#launch = newSecret();
    return this.#launch;
  }

  check(credential: BridgeCredential): BridgeAuthResult {
    if (credential.kind === 'launch') {
      if (!same(this.#launch, credential.secret)) return { ok: false, reason: 'launch-not-valid' };
      this.#launch = null;
      this.#session = newSecret();
      return { ok: true, via: 'launch', session: this.#session };
    }
    if (!same(this.#session, credential.secret)) return { ok: false, reason: 'session-not-valid' };
    return { ok: true, via: 'session' };
  }
}

/**
 * Logs refused bridge connections without letting a local process flood the log: the first refusal of
 * each reason is logged at once, then at most one line per `intervalMs` with the number refused meanwhile.
 */
export class RefusalLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(log: Logger, options: { intervalMs?: number; now?: () => number } = {}) {
    this.#log = log;
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  note(reason: string): void {
    const now = this.#now();
    const seen = this.#last.get(reason);
    if (seen !== undefined && now - seen.at < this.#intervalMs) {
      seen.suppressed++;
      return;
    }
    this.#log.warn('host.bridge-refused', {
      reason,
      code: 'KIOSK_BRIDGE_REFUSED',
      ...(seen?.suppressed ? { alsoRefused: seen.suppressed } : {}),
    });
    this.#last.set(reason, { at: now, suppressed: 0 });
  }
}
