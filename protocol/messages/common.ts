import { z } from 'zod';
import { text } from './text.js';

/** Current version of every message. A message with another `v` is refused with PROTOCOL_UNSUPPORTED_VERSION. */
export const MESSAGE_VERSION = 1;
export const version = z.literal(MESSAGE_VERSION);

const B64URL = /^[A-Za-z0-9_-]*$/;
/** base64url text of at most `maxBytes` bytes. */
export const b64url = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil((maxBytes * 4) / 3))
    .regex(B64URL, 'base64url expected');

/** 16 random bytes, base64url: names one request end to end. */
export const requestId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'request id: 16 bytes base64url');
/** A kiosk's id: the base64url of its Ed25519 public key. */
export const kioskId = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'kiosk id: 32-byte key base64url');
/** 全国地方公共団体コード: six digits (five plus a check digit). */
export const municipalityCode = z.string().regex(/^\d{6}$/, 'municipality: 6-digit code');
/** A stable error code from `protocol/errors`. */
export const errorCode = z.string().regex(/^[A-Z][A-Z0-9_]{2,63}$/);
export const certType = z.enum(['domestic', 'overseas']);
export type CertType = z.infer<typeof certType>;

/** Largest sealed request or answer carried in a message (base64url of the bytes). */
export const MAX_SEALED_BYTES = 48 * 1024;
export const sealed = b64url(MAX_SEALED_BYTES).min(1);

export const municipality = z.object({
  code: municipalityCode,
  name: text(64, 1),
  nameEn: text(64, 1),
  prefecture: text(16, 1),
});
export type Municipality = z.infer<typeof municipality>;

export const deviceState = z.enum(['ok', 'fault', 'disconnected', 'unknown']);
export const health = z.object({
  reader: deviceState,
  printer: deviceState,
  paper: z.enum(['ok', 'low', 'out', 'unknown']),
  pinpad: deviceState,
  coin: deviceState,
  hopper: deviceState,
  software: text(64, 1),
});
export type DeviceHealth = z.infer<typeof health>;
