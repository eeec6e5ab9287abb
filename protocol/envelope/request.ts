import { fromBase64Url, requireBytes, toBase64Url, wipe } from '../bytes.js';
import { x25519KeyPair, type CryptoProvider } from '../crypto.js';
import { CertAnswer, CertRequest, type CertAnswerBody } from '../messages/cert.js';
import { decodeMessage, encodeMessage, type DecodeFailure } from '../messages/codec.js';
import { openSealed, sealTo } from './box.js';

/**
 * End-to-end sealing between the kiosk and VRS. The relay forwards these bytes and cannot open them.
 *
 *   kiosk: sealRequest → sealed request (to VRS's box key), keeps the one-time reply key
 *   VRS:   openRequest → CertRequest; sealAnswer → sealed answer (to the reply key), bound to the request
 *   kiosk: openAnswer  → checks the binding (request id, kiosk id, hash of the sealed request)
 *
 * An answer delivered to another kiosk does not open (another reply key); one delivered to another
 * request of the same kiosk opens but fails the binding check: ENVELOPE_BINDING_MISMATCH.
 */
export interface ReplyKey {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export type CertRequestFields = Omit<CertRequest, 'v' | 'type' | 'replyPublicKey'>;

export function sealRequest(options: {
  vrsBoxPublicKey: Uint8Array;
  request: CertRequestFields;
  crypto: CryptoProvider;
}): {
  sealed: Uint8Array;
  replyKey: ReplyKey;
} {
  const { vrsBoxPublicKey, request, crypto } = options;
  requireBytes(vrsBoxPublicKey, 32, 'vrsBoxPublicKey');
  const replyKey = x25519KeyPair(crypto);
  const full = CertRequest.parse({
    ...request,
    v: 1,
    type: 'cert.request',
    replyPublicKey: toBase64Url(replyKey.publicKey),
  });
  const plaintext = encodeMessage(full);
  const sealed = sealTo(crypto, vrsBoxPublicKey, plaintext);
  wipe(plaintext);
  return { sealed, replyKey };
}

export type OpenRequestResult =
  { ok: true; request: CertRequest } | { ok: false; code: 'ENVELOPE_AUTH_FAILED' | DecodeFailure };

export function openRequest(options: {
  sealed: Uint8Array;
  vrsBoxSecretKey: Uint8Array;
  crypto: CryptoProvider;
}): OpenRequestResult {
  const opened = openSealed(options.crypto, options.vrsBoxSecretKey, options.sealed);
  if (!opened.ok) return opened;
  const decoded = decodeMessage(opened.plaintext, CertRequest);
  wipe(opened.plaintext);
  return decoded.ok ? { ok: true, request: decoded.value } : decoded;
}

/** base64url SHA-512 of the sealed request: what an answer is bound to. */
export function requestHash(crypto: CryptoProvider, sealedRequest: Uint8Array): string {
  return toBase64Url(crypto.sha512(sealedRequest));
}

export function sealAnswer(options: {
  request: CertRequest;
  sealedRequest: Uint8Array;
  body: CertAnswerBody;
  crypto: CryptoProvider;
}): Uint8Array {
  const { request, sealedRequest, body, crypto } = options;
  const replyKey = fromBase64Url(request.replyPublicKey);
  if (replyKey === undefined || replyKey.length !== 32)
    throw new TypeError('request.replyPublicKey: 32-byte key expected');
  const answer = CertAnswer.parse({
    v: 1,
    type: 'cert.answer',
    binding: {
      requestId: request.requestId,
      kioskId: request.kioskId,
      requestHash: requestHash(crypto, sealedRequest),
    },
    body,
  });
  const plaintext = encodeMessage(answer);
  const sealed = sealTo(crypto, replyKey, plaintext);
  wipe(plaintext);
  return sealed;
}

export type OpenAnswerResult =
  | { ok: true; answer: CertAnswerBody }
  | { ok: false; code: 'ENVELOPE_AUTH_FAILED' | 'ENVELOPE_BINDING_MISMATCH' | DecodeFailure };

/** Opens and checks an answer, then wipes the one-time reply key (it is never used again). */
export function openAnswer(options: {
  sealed: Uint8Array;
  replyKey: ReplyKey;
  requestId: string;
  kioskId: string;
  sealedRequest: Uint8Array;
  crypto: CryptoProvider;
}): OpenAnswerResult {
  const { sealed, replyKey, crypto } = options;
  if (typeof options.requestId !== 'string') throw new TypeError('requestId: string expected');
  if (typeof options.kioskId !== 'string') throw new TypeError('kioskId: string expected');
  requireBytes(options.sealedRequest, undefined, 'sealedRequest');
  try {
    const opened = openSealed(crypto, replyKey.secretKey, sealed);
    if (!opened.ok) return opened;
    const decoded = decodeMessage(opened.plaintext, CertAnswer);
    wipe(opened.plaintext);
    if (!decoded.ok) return decoded;
    const b = decoded.value.binding;
    const bound =
      b.requestId === options.requestId &&
      b.kioskId === options.kioskId &&
      b.requestHash === requestHash(crypto, options.sealedRequest);
    return bound
      ? { ok: true, answer: decoded.value.body }
      : { ok: false, code: 'ENVELOPE_BINDING_MISMATCH' };
  } finally {
    wipe(replyKey.secretKey);
  }
}
