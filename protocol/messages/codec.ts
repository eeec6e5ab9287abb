import type { z } from 'zod';
import { fromUtf8, toBase64Url, utf8 } from '../bytes.js';
import type { CryptoProvider } from '../crypto.js';
import { MESSAGE_VERSION } from './common.js';

export type DecodeFailure = 'PROTOCOL_MALFORMED' | 'PROTOCOL_UNSUPPORTED_VERSION';
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; code: DecodeFailure };

/** Encodes a message as UTF-8 JSON (the payload of one channel frame). */
export function encodeMessage(message: { v: number; type: string }): Uint8Array {
  if (message === null || typeof message !== 'object' || typeof message.type !== 'string') {
    throw new TypeError('message: object with a type expected');
  }
  return utf8(JSON.stringify(message));
}

/**
 * Parses a message from bytes a peer sent. Unknown versions are told apart from malformed input, so the
 * peer can be told to upgrade.
 */
export function decodeMessage<S extends z.ZodType>(bytes: Uint8Array, schema: S): DecodeResult<z.infer<S>> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes: Uint8Array expected');
  const text = fromUtf8(bytes);
  if (text === undefined) return { ok: false, code: 'PROTOCOL_MALFORMED' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'PROTOCOL_MALFORMED' };
  }
  return parseMessage(raw, schema);
}

/** Validates an already-parsed value against a message schema. */
export function parseMessage<S extends z.ZodType>(raw: unknown, schema: S): DecodeResult<z.infer<S>> {
  if (raw !== null && typeof raw === 'object' && 'v' in raw && raw.v !== MESSAGE_VERSION) {
    return { ok: false, code: 'PROTOCOL_UNSUPPORTED_VERSION' };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, code: 'PROTOCOL_MALFORMED' };
}

/** A fresh request id: 16 random bytes, base64url (22 characters). */
export function newRequestId(crypto: CryptoProvider): string {
  return toBase64Url(crypto.randomBytes(16));
}
