import { defineCodes } from './define.js';

const ASK_MUNICIPALITY = {
  ja: 'このカードでは証明書を発行できません。お住まいの市区町村にお問い合わせください。',
  en: 'A certificate cannot be issued with this card. Please contact your municipality.',
} as const;
const START_AGAIN = {
  ja: '本人確認の有効期限が切れました。はじめからやり直してください。',
  en: 'Your identity check has expired. Please start again from the beginning.',
} as const;

/**
 * Codes of JPKI authentication (公的個人認証, the 公的個人認証AP and the 利用者証明用電子証明書): the card's
 * side at the kiosk and the checks VRS makes (PROTOCOL.md, "JPKI authentication").
 */
export const JPKI_ERRORS = defineCodes({
  CARD_JPKI_MISSING: {
    meaning: 'The card has no 公的個人認証AP, or it refused its SELECT (6A 82): no 利用者証明用電子証明書.',
    resident: {
      ja: 'このカードには利用者証明用電子証明書がありません。お住まいの市区町村にお問い合わせください。',
      en: 'This card has no user certificate for identification. Please contact your municipality.',
    },
    operator: 'A card without a 利用者証明用電子証明書 was placed; nothing to do at the kiosk.',
  },
  VRS_JPKI_INVALID: {
    meaning: 'The JPKI proof in the request is malformed (the certificate does not parse as X.509 RSA-2048).',
    resident: ASK_MUNICIPALITY,
    operator: 'VRS refused a malformed JPKI proof; an alert was raised with the kiosk id.',
  },
  VRS_JPKI_SIGNATURE_INVALID: {
    meaning:
      'The certificate was not issued by the 利用者証明用 CA, is outside its validity dates, or the signature ' +
      'does not verify over the challenge with its key (a signature of one card with another card’s certificate).',
    resident: ASK_MUNICIPALITY,
    operator: 'VRS refused a JPKI signature that did not verify; an alert was raised with the kiosk id.',
  },
  VRS_JPKI_REVOKED: {
    meaning:
      'The 利用者証明用電子証明書 is on the CA’s current CRL (card lost, expired, or the resident moved).',
    resident: {
      ja: 'このカードの電子証明書は失効しています。お住まいの市区町村にお問い合わせください。',
      en: 'The certificate on this card has been revoked. Please contact your municipality.',
    },
    operator: 'A revoked card was used; VRS refused it. No action unless it repeats from one kiosk.',
  },
  VRS_JPKI_VALIDITY_UNKNOWN: {
    meaning:
      'VRS has no current CRL from the 公的個人認証サービスセンター (missing, unsigned or past nextUpdate).',
    resident: {
      ja: '現在本人確認ができません。しばらくしてからもう一度お試しください。',
      en: 'Your identity cannot be checked right now. Please try again later.',
    },
    operator: 'VRS cannot check certificate validity: check the CRL feed from the J-LIS stand-in.',
  },
  VRS_JPKI_NOT_LINKED: {
    meaning: 'No municipality holds a link from this certificate serial to a resident.',
    resident: ASK_MUNICIPALITY,
    operator: 'A valid certificate without a serial link; the municipality’s link feed may be behind.',
  },
  VRS_AUTH_STALE: {
    meaning:
      'The card signed the challenge outside the freshness window (more than 10 minutes before VRS received ' +
      'it, or more than 1 minute in the future): an old card answer replayed later.',
    resident: START_AGAIN,
    operator:
      'A stale card answer reached VRS (replay after the window, or a kiosk clock far off); alert raised.',
  },
  VRS_AUTH_REPLAYED: {
    meaning: 'The card’s answer (its nonce) was already used in another request: a replay inside the window.',
    resident: START_AGAIN,
    operator: 'VRS refused a card answer used twice; an alert names the kiosk that sent it.',
  },
  VRS_AUTH_WRONG_KIOSK: {
    meaning: 'The card signed a challenge for another kiosk than the one that sent the request.',
    resident: START_AGAIN,
    operator: 'A card answer made at one kiosk arrived from another; an alert names both sides.',
  },
  VRS_AUTH_METHOD_NOT_ALLOWED: {
    meaning:
      'The municipality does not accept this authentication method (JPKI or カードAP, VRS configuration).',
    resident: {
      ja: 'この市区町村では、別の暗証番号での本人確認が必要です。はじめからやり直してください。',
      en: 'This municipality needs a different PIN to check your identity. Please start again.',
    },
    operator: 'The kiosk used an authentication method the municipality has not chosen.',
  },
});
