import { z } from 'zod';
import { text } from './text.js';
import {
  b64url,
  certType,
  errorCode,
  kioskId,
  municipality,
  municipalityCode,
  requestId,
  version,
} from './common.js';

/**
 * What the kiosk reads from the card, as raw elementary files of the 券面事項入力補助AP. VRS verifies the
 * signature block against the card issuing authority and parses the fields itself (`protocol/card-data.ts`).
 */
export const cardData = z.object({
  /** EF 00 01: `D0 0C` + 12 ASCII digits. */
  myNumberEf: b64url(64).min(1),
  /** EF 00 02: `FF 20` TLV with name, address, birth date, sex. */
  basic4Ef: b64url(2048).min(1),
  /** EF 00 03: digests and signature. */
  signatureEf: b64url(1024).min(1),
  /** EF 00 04: the signing key's certificate. */
  certificateEf: b64url(4096).min(1),
});
export type CardData = z.infer<typeof cardData>;

/**
 * JPKI authentication (公的個人認証, the default): the card's 利用者証明用電子証明書 and its signature over
 * `jpkiChallenge({ kioskId, nonce, signedAt })` (`protocol/card-data/jpki.ts`, PROTOCOL.md "JPKI
 * authentication"). No personal data: the certificate holds none, VRS finds the resident by its serial.
 */
export const jpkiAuth = z.object({
  /** EF 00 0A of the 公的個人認証AP, X.509 DER. */
  certificate: b64url(2048).min(1),
  /** RSASSA-PKCS1-v1_5 (SHA-256) by the card's key, 256 bytes. */
  signature: b64url(256).length(342),
  /** The kiosk the card signed for (must be the kiosk the relay authenticated). */
  kioskId,
  /** 32 random bytes drawn by the kiosk for this transaction. */
  nonce: b64url(32).length(43),
  /** When the card signed, ms since the epoch (the kiosk's clock). */
  signedAt: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
export type JpkiAuth = z.infer<typeof jpkiAuth>;

/**
 * Inner plaintext of a sealed request: only VRS can read it. Exactly one of `jpki` (JPKI authentication) and
 * `card` (カードAP authentication: the 券面事項入力補助AP's files) proves the resident.
 */
export const CertRequest = z
  .object({
    v: version,
    type: z.literal('cert.request'),
    requestId,
    kioskId,
    /** The kiosk's one-time X25519 key for this answer. */
    replyPublicKey: b64url(32).length(43),
    municipality: municipalityCode,
    certType,
    copies: z.number().int().min(1).max(10),
    card: cardData.optional(),
    jpki: jpkiAuth.optional(),
  })
  .refine((r) => (r.card === undefined) !== (r.jpki === undefined), {
    message: 'exactly one of card and jpki',
  });
export type CertRequest = z.infer<typeof CertRequest>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const dose = z.object({
  seq: z.number().int().min(1).max(7),
  date: isoDate,
  /** e.g. "COVID-19 mRNA". */
  vaccineType: text(64),
  manufacturer: text(64),
  manufacturerEn: text(64),
  product: text(64),
  productEn: text(64),
  lot: text(20),
  cvx: z.string().regex(/^\d{1,3}$/),
  country: text(3, 3),
});
export type Dose = z.infer<typeof dose>;

export const IssuedBody = z.object({
  outcome: z.literal('issued'),
  certificateId: text(64, 1),
  /** Issue date (YYYY-MM-DD, Japan time). */
  issuedAt: isoDate,
  certType,
  municipality,
  /** The issuer line printed on the certificate, e.g. 「千代田区長」. */
  issuer: z.object({ ja: text(64), en: text(128) }),
  person: z.object({
    name: text(128, 1),
    nameRomaji: text(128).optional(),
    birthDate: isoDate,
    nationality: text(64).optional(),
    passportNumber: text(20).optional(),
  }),
  doses: z.array(dose).min(1).max(7),
  /** SMART Health Card compact JWS. */
  shc: text(4096, 1),
  /** ICAO VDS-NC document (overseas only), verbatim JSON object. */
  vdsNc: z.record(z.string(), z.unknown()).optional(),
});
export type IssuedBody = z.infer<typeof IssuedBody>;

export const CertAnswerBody = z.discriminatedUnion('outcome', [
  IssuedBody,
  z.object({ outcome: z.literal('no-record') }),
  z.object({ outcome: z.literal('refused'), code: errorCode }),
]);
export type CertAnswerBody = z.infer<typeof CertAnswerBody>;

/** Inner plaintext of a sealed answer: only the asking kiosk can read it; bound to its request. */
export const CertAnswer = z.object({
  v: version,
  type: z.literal('cert.answer'),
  binding: z.object({
    requestId,
    kioskId,
    /** base64url SHA-512 of the sealed request bytes. */
    requestHash: b64url(64).length(86),
  }),
  body: CertAnswerBody,
});
export type CertAnswer = z.infer<typeof CertAnswer>;
