import { keyId, type Identity } from '../../../protocol/index.js';
import { z } from 'zod';

const EnrollAnswer = z.union([
  z.object({ ok: z.literal(true), kioskId: z.string(), relayPublicKey: z.string() }),
  z.object({ ok: z.literal(false), code: z.string().regex(/^[A-Z][A-Z0-9_]{2,63}$/) }),
]);

export interface EnrollOptions {
  /** The relay's `POST /enroll` URL on the dedicated line. */
  readonly relayEnrollUrl: string;
  /** The one-time code the operator issued for this kiosk. */
  readonly code: string;
  readonly identity: Identity;
  /** The relay key this kiosk pins (from its configuration): the answer must name the same key. */
  readonly relayPublicKey?: string;
  /** Shown on the operator's dashboard (a store name, never personal data). */
  readonly name?: string;
  /** Injectable for tests. */
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export type EnrollResult = { ok: true; kioskId: string } | { ok: false; code: string };

/**
 * Registers this kiosk's public key at the relay with a one-time code: `POST /enroll { code, publicKey }`.
 * The endpoint is not authenticated, so the relay key in its answer only confirms the pinned one: a
 * different key is refused with CHANNEL_UNKNOWN_PEER. Codes: the relay's (RELAY_ENROLL_CODE_INVALID,
 * RELAY_ENROLL_CODE_EXPIRED, RELAY_KIOSK_ALREADY_ENROLLED, RELAY_BANNED, …), RELAY_UNREACHABLE when it
 * cannot be reached, PROTOCOL_MALFORMED when it answers something else.
 */
export async function enrollKiosk(options: EnrollOptions): Promise<EnrollResult> {
  if (typeof options.code !== 'string' || options.code === '')
    throw new TypeError('code: non-empty string expected');
  const doFetch = options.fetch ?? fetch;
  const body = {
    code: options.code,
    publicKey: keyId(options.identity.publicKey),
    ...(options.name ? { name: options.name } : {}),
  };
  let raw: unknown;
  try {
    const res = await doFetch(options.relayEnrollUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    raw = await res.json().catch(() => undefined);
  } catch {
    return { ok: false, code: 'RELAY_UNREACHABLE' };
  }
  const answer = EnrollAnswer.safeParse(raw);
  if (!answer.success) return { ok: false, code: 'PROTOCOL_MALFORMED' };
  if (!answer.data.ok) return { ok: false, code: answer.data.code };
  if (options.relayPublicKey !== undefined && answer.data.relayPublicKey !== options.relayPublicKey) {
    return { ok: false, code: 'CHANNEL_UNKNOWN_PEER' };
  }
  return { ok: true, kioskId: answer.data.kioskId };
}
