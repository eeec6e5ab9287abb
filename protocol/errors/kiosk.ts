import { defineCodes } from './define.js';

const ASK_STAFF = {
  ja: '申し訳ございません。店員にお知らせください。',
  en: 'We are sorry. Please ask a member of staff.',
} as const;

/** Codes of the kiosk application itself: the resident's flow, its IPC, its money handling. */
export const KIOSK_ERRORS = defineCodes({
  KIOSK_SERVICE_UNAVAILABLE: {
    meaning: 'The kiosk cannot issue certificates now (not enrolled, relay unreachable, issuance stopped).',
    resident: {
      ja: '現在、接種証明書の交付サービスを停止しています。',
      en: 'The vaccination certificate service is not available right now.',
    },
    operator: 'The kiosk is not connected to the relay or not enrolled; check its status on the dashboard.',
  },
  KIOSK_REFUND_FAILED: {
    meaning: 'Money owed to the resident (a cancel after payment, a failed print) could not be paid out.',
    resident: {
      ja: '返金できませんでした。この画面のまま店員にお知らせください。',
      en: 'Your money could not be returned. Please keep this screen and ask a member of staff.',
    },
    operator: 'The hopper failed to pay a refund; the amount shown is what was returned. Settle by hand.',
  },
  KIOSK_CHANGE_NOT_PAID: {
    meaning: 'The fee was paid and the certificate printed, but the change could not be paid out.',
    resident: {
      ja: 'おつりをお返しできませんでした。店員にお知らせください。',
      en: 'Your change could not be returned. Please ask a member of staff.',
    },
    operator: 'The hopper failed to pay change after a payment; settle by hand and refill the hopper.',
  },
  KIOSK_PARTLY_REFUNDED: {
    meaning: 'Printing stopped after some copies; the fee for the copies not printed was returned.',
    resident: {
      ja: '印刷できなかった部数の手数料をお返ししました。印刷された証明書をお取りください。',
      en: 'The fee for the copies that could not be printed was returned. Please take the printed certificates.',
    },
    operator: 'A multi-copy job stopped part way; the unprinted copies were refunded.',
  },
  KIOSK_INTERNAL: {
    meaning: 'An unexpected failure inside the kiosk application (a bug).',
    resident: ASK_STAFF,
    operator:
      'The kiosk hit an internal error; the transaction was ended and any fee refunded. See the kiosk log.',
  },
  KIOSK_BAD_INTENT: {
    meaning: 'The renderer sent a request that does not match the IPC schema.',
    resident: null,
    operator: 'The kiosk UI sent a malformed request; it was refused (possible tampering with the renderer).',
  },
  KIOSK_BRIDGE_REFUSED: {
    meaning:
      'A connection to the loopback bridge (browser-host mode) did not present the secret of the window the kiosk opened.',
    resident: null,
    operator:
      'A second window or a local process tried to drive the kiosk; it was refused. Only the window opened with the launch URL works.',
  },
  KIOSK_PANEL_WITH_REAL_DEVICES: {
    meaning:
      "The testers' control panel is running in the kiosk's process while the kiosk is given real devices.",
    resident: null,
    operator:
      "The kiosk refused to start: the testers' panel must never run beside real hardware. Start the kiosk without the simulators.",
  },
  KIOSK_RELAY_TIMEOUT: {
    meaning: 'The relay accepted a request but no answer came back in time.',
    resident: {
      ja: '現在この証明書を発行できません。しばらくしてからもう一度お試しください。',
      en: 'The certificate cannot be issued right now. Please try again later.',
    },
    operator: 'A request through the relay timed out (relay or VRS slow or down); no fee was taken.',
  },
  CERT_INPUT_INVALID: {
    meaning: 'The issued answer cannot be printed: a field is missing, malformed or too long for its box.',
    resident: ASK_STAFF,
    operator:
      'VRS sent a certificate the kiosk cannot lay out; nothing was printed and any fee was returned.',
  },
  CERT_GLYPH_MISSING: {
    meaning: 'A character of the certificate has no glyph in the embedded font (BIZ UDGothic).',
    resident: {
      ja: 'お名前などに使われている文字を印刷できません。お住まいの市区町村窓口にお問い合わせください。',
      en: 'A character in your record cannot be printed here. Please contact your municipal office.',
    },
    operator:
      'A record holds a character outside BIZ UDGothic (e.g. an unregistered 外字); nothing was printed.',
  },
  CERT_QR_TOO_LARGE: {
    meaning: 'A signed code (SHC or VDS-NC) does not fit a single printable QR symbol.',
    resident: ASK_STAFF,
    operator: 'VRS produced a code larger than one QR symbol allows (SHC: version 22); nothing was printed.',
  },
  CERT_RENDER_FAILED: {
    meaning: 'Rendering the certificate PDF failed for another reason.',
    resident: ASK_STAFF,
    operator: 'The certificate renderer failed; see the kiosk log (request id only). Nothing was printed.',
  },
  KIOSK_CONFIG_INVALID: {
    meaning:
      'The kiosk configuration file (KIOSK_CONFIG) cannot be read, is not JSON, or does not match its schema.',
    resident: null,
    operator: 'The kiosk refused to start: fix the configuration field named in the message.',
  },
  KIOSK_INTENT_NOT_NOW: {
    meaning: 'The renderer asked for something the current screen does not allow (a stale button press).',
    resident: null,
    operator: 'Harmless: a button was pressed on a screen that had already changed.',
  },
});
