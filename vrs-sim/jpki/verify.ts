import { X509Certificate, verify as rsaVerify } from 'node:crypto';
import { JPKI_NONCE_BYTES, jpkiChallenge } from '../../protocol/card-data/jpki.js';
import { fromBase64Url, type JpkiAuth } from '../../protocol/index.js';

/** How long after the card signed VRS still accepts the answer (the resident chooses after removing the card). */
export const JPKI_FRESHNESS_MS = 10 * 60_000;
/** How far in the future a signing time may lie (kiosk clock ahead of VRS's). */
export const JPKI_CLOCK_SKEW_MS = 60_000;

export type JpkiProofCheck =
  | { ok: true; serial: string; nonce: Uint8Array }
  | {
      ok: false;
      code: 'VRS_JPKI_INVALID' | 'VRS_JPKI_SIGNATURE_INVALID' | 'VRS_AUTH_STALE' | 'VRS_AUTH_WRONG_KIOSK';
    };

/**
 * Checks a JPKI proof against the 利用者証明用 CA: the certificate parses (X.509, RSA-2048), was issued and
 * signed by the CA and is within its dates; the signature verifies with the certificate's key over the
 * challenge rebuilt from `kioskId` (the kiosk the relay authenticated), the nonce and the signing time; the
 * signing time lies inside the freshness window. Revocation and single use are checked by the caller.
 *
 * The kiosk id is part of the signed bytes, so an answer made at one kiosk never counts for another: the
 * signature is verified over the kiosk id the proof names, and that id must be the relay-authenticated one
 * (`VRS_AUTH_WRONG_KIOSK`, told apart from a forged signature).
 */
export function checkJpkiProof(args: {
  auth: JpkiAuth;
  kioskId: string;
  ca: X509Certificate;
  now: number;
}): JpkiProofCheck {
  const { auth, kioskId, ca, now } = args;
  const der = fromBase64Url(auth.certificate);
  const signature = fromBase64Url(auth.signature);
  const nonce = fromBase64Url(auth.nonce);
  if (
    der === undefined ||
    signature === undefined ||
    nonce === undefined ||
    nonce.length !== JPKI_NONCE_BYTES
  )
    return { ok: false, code: 'VRS_JPKI_INVALID' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return { ok: false, code: 'VRS_JPKI_INVALID' };
  }
  if (
    cert.publicKey.asymmetricKeyType !== 'rsa' ||
    cert.publicKey.asymmetricKeyDetails?.modulusLength !== 2048
  )
    return { ok: false, code: 'VRS_JPKI_INVALID' };
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
    return { ok: false, code: 'VRS_JPKI_SIGNATURE_INVALID' };
  if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now)
    return { ok: false, code: 'VRS_JPKI_SIGNATURE_INVALID' };
  const challenge = jpkiChallenge({ kioskId: auth.kioskId, nonce, signedAt: auth.signedAt });
  if (!rsaVerify('sha256', challenge, cert.publicKey, signature))
    return { ok: false, code: 'VRS_JPKI_SIGNATURE_INVALID' };
  // An authentic card answer, made for another kiosk: replayed from elsewhere.
  if (auth.kioskId !== kioskId) return { ok: false, code: 'VRS_AUTH_WRONG_KIOSK' };
  if (now - auth.signedAt > JPKI_FRESHNESS_MS || auth.signedAt - now > JPKI_CLOCK_SKEW_MS)
    return { ok: false, code: 'VRS_AUTH_STALE' };
  return { ok: true, serial: cert.serialNumber.toLowerCase(), nonce };
}
