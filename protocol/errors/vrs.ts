import { defineCodes } from './define.js';

const ASK_MUNICIPALITY = {
  ja: 'この証明書はコンビニでは発行できません。接種を受けた市区町村にお問い合わせください。',
  en: 'This certificate cannot be issued here. Please contact the municipality where you were vaccinated.',
} as const;
const RETRY_LATER = {
  ja: '現在この証明書を発行できません。しばらくしてからもう一度お試しください。',
  en: 'The certificate cannot be issued right now. Please try again later.',
} as const;

/** Codes of the vaccination record system (the VRS stand-in, `vrs-sim/`). */
export const VRS_ERRORS = defineCodes({
  VRS_NO_RECORD: {
    meaning: 'VRS holds no vaccination record for this resident in the chosen municipality.',
    resident: {
      ja: '選択した市区町村に接種記録が見つかりません。接種を受けた市区町村を確認してください。',
      en: 'No vaccination record was found in the chosen municipality. Please check where you were vaccinated.',
    },
    operator: 'No record: the resident chose another municipality, or the record is not yet registered.',
  },
  VRS_CARD_FORGED: {
    meaning:
      'The card data in the request did not verify against the card issuer certificate (forged or altered).',
    resident: {
      ja: 'このカードでは証明書を発行できません。お住まいの市区町村にお問い合わせください。',
      en: 'A certificate cannot be issued with this card. Please contact your municipality.',
    },
    operator: 'VRS refused card data that did not verify; an alert was raised with the kiosk id.',
  },
  VRS_CARD_INVALID: {
    meaning: 'The card data in the request did not parse (TLV, check digit, encoding).',
    resident: RETRY_LATER,
    operator: 'Malformed card data reached VRS; check the kiosk card reader software.',
  },
  VRS_BASIC4_MISMATCH: {
    meaning:
      'The basic 4 information on the card (name, address, birth date, sex) does not match the record.',
    resident: ASK_MUNICIPALITY,
    operator: 'Card data and VRS record differ (moved house, changed name, or a registration error).',
  },
  VRS_MUNICIPALITY_UNKNOWN: {
    meaning: 'The municipality code is not a participating municipality of VRS.',
    resident: ASK_MUNICIPALITY,
    operator: 'A request named a municipality that does not take part; check the municipality list.',
  },
  VRS_NO_PASSPORT: {
    meaning:
      'Overseas certificate asked for, but no passport is registered in VRS (or it was registered before 2022-07-21).',
    resident: {
      ja: '海外用の証明書を発行するには、旅券の登録が必要です。接種を受けた市区町村にお問い合わせください。',
      en: 'A registered passport is required for the overseas certificate. Please contact the municipality where you were vaccinated.',
    },
    operator: 'Resident has no passport registered in VRS for kiosk issuance.',
  },
  VRS_DATA_SHREDDED: {
    meaning:
      "The municipality's data key was destroyed (crypto-shredding): its records can no longer be read.",
    resident: ASK_MUNICIPALITY,
    operator: 'The municipality has been crypto-shredded; its records are gone for good.',
  },
  VRS_KEY_UNAVAILABLE: {
    meaning:
      'The municipality has records (or a key on record) but its data key is missing, or the key file is not the one the database recorded.',
    resident: RETRY_LATER,
    operator:
      'A municipality key file was deleted or replaced: VRS refuses to make a new key (it would hide every record) and raised a critical alert. Restore the key from its backup.',
  },
  VRS_RECORD_CORRUPT: {
    meaning: 'A stored record did not authenticate under its municipality key or did not match the lookup.',
    resident: RETRY_LATER,
    operator: 'A VRS record failed to open: storage corruption or tampering. Investigate at once.',
  },
  VRS_REQUEST_MISROUTED: {
    meaning:
      'The routing data of a request (kiosk id, municipality, request id) differs from the sealed request.',
    resident: RETRY_LATER,
    operator: 'A request arrived with routing that does not match its sealed content; an alert was raised.',
  },
  VRS_RATE_LIMITED: {
    meaning: 'One kiosk asked for too many different residents in the detection window.',
    resident: RETRY_LATER,
    operator: 'Intrusion detection throttled a kiosk that looked up many residents; review the alert.',
  },
  VRS_CERT_TOO_LARGE: {
    meaning:
      'The signed SMART Health Card would not fit one version-22 QR code (too many doses or too long a name).',
    resident: ASK_MUNICIPALITY,
    operator: 'Certificate too large for the kiosk QR; the municipal window issues it.',
  },
  VRS_UNAVAILABLE: {
    meaning: 'VRS could not answer (storage or signing failure, shutting down).',
    resident: RETRY_LATER,
    operator: 'VRS internal failure; see the VRS log for the request id.',
  },
  VRS_STATE_BUSY: {
    meaning: 'An offline VRS command was refused because the server holds the embedded database.',
    resident: null,
    operator: 'Stop the VRS server first, or run VRS on a PostgreSQL server (DATABASE_URL).',
  },
  VRS_SIGNING_KEY_MISSING: {
    meaning:
      'Certificates were issued but the signing key files (SHC keys, VDS-NC signer) are missing; VRS refuses to make new ones.',
    resident: null,
    operator:
      'A new signing key would drop the old one from the JWKS and invalidate every printed certificate: restore signing/ and vdsnc/ from their backup.',
  },
  VRS_CREDENTIAL_INVALID: {
    meaning:
      'A VRS command was run without a valid role credential (missing, unreadable, readable by others, malformed, unknown or revoked).',
    resident: null,
    operator:
      'Roles come only from credentials issued with `npm run vrs -- credential issue`; ask the administrator for one.',
  },
  VRS_FORBIDDEN: {
    meaning:
      'A role asked for data outside its rights (another municipality, or personal data for an aggregate role).',
    resident: null,
    operator: 'Access refused by VRS role enforcement.',
  },
});
