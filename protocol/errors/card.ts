import { defineCodes } from './define.js';

const TRY_AGAIN = {
  ja: 'カードを読み取れませんでした。カードをもう一度置いてください。',
  en: 'The card could not be read. Please place your card on the reader again.',
} as const;
const OUT_OF_ORDER = {
  ja: 'ただいまカードリーダーが使用できません。店員にお知らせください。',
  en: 'The card reader is not available right now. Please tell a member of staff.',
} as const;

/** Codes of the card reader (PN532 driver) and the My Number card (券面事項入力補助AP). */
export const CARD_ERRORS = defineCodes({
  CARD_NOT_PRESENT: {
    meaning: 'No card answered on the reader (nothing placed, or not a Type B card) before the wait ended.',
    resident: {
      ja: 'マイナンバーカードをカードリーダーに置いてください。',
      en: 'Please place your My Number card on the card reader.',
    },
    operator: 'No card detected; nothing to do unless it persists with a card on the reader.',
  },
  CARD_REMOVED: {
    meaning:
      'The card left the field during the transaction (the PN532 reported the target gone or timed out).',
    resident: {
      ja: 'カードが離れました。カードを置いたまま、もう一度お試しください。',
      en: 'The card was moved away. Please keep your card on the reader and try again.',
    },
    operator: 'Card removed mid-read; the transaction was restarted from the card step.',
  },
  CARD_PIN_WRONG: {
    meaning: 'VERIFY refused the PIN (63 Cx, x ≥ 1 tries remain). Never retried automatically.',
    resident: {
      ja: '暗証番号が違います。残りの入力回数にご注意ください。',
      en: 'The PIN is incorrect. Please mind the number of tries left.',
    },
    operator: 'Wrong PIN entered by the resident.',
  },
  CARD_PIN_LOCKED: {
    meaning: 'The card PIN is blocked (63 C0, 69 83 or 69 84): no tries remain.',
    resident: {
      ja: '暗証番号がロックされています。お住まいの市区町村の窓口で暗証番号の再設定を行ってください。',
      en: 'The PIN is locked. Please have it reset at your municipal office.',
    },
    operator: 'Locked card; the resident must reset the PIN at the municipal office.',
  },
  CARD_AP_MISSING: {
    meaning: 'The card has no 券面事項入力補助AP (SELECT answered 6A 82 or similar): not a My Number card.',
    resident: {
      ja: 'このカードはご利用いただけません。マイナンバーカードを置いてください。',
      en: 'This card cannot be used. Please place your My Number card.',
    },
    operator: 'A card without the 券面事項入力補助AP was presented.',
  },
  CARD_READ_FAILED: {
    meaning:
      'The card answered an APDU with an unexpected status word, or the read data did not fit together.',
    resident: TRY_AGAIN,
    operator: 'Card read failed; if it repeats for many cards, check the reader.',
  },
  CARD_DATA_INVALID: {
    meaning: 'Card files did not parse (TLV, check digit, UTF-8) or were incomplete.',
    resident: TRY_AGAIN,
    operator: 'Card data malformed; the card may be damaged.',
  },
  CARD_FORGED: {
    meaning:
      'Card data did not verify against the card issuer (a digest or the issuer signature does not match).',
    resident: {
      ja: 'このカードでは証明書を発行できません。お住まいの市区町村にお問い合わせください。',
      en: 'A certificate cannot be issued with this card. Please contact your municipality.',
    },
    operator: 'Card data failed signature verification: possible forged card. Recorded for investigation.',
  },
  READER_DISCONNECTED: {
    meaning: 'The reader port went away (cable pulled, adapter removed) or is not open.',
    resident: OUT_OF_ORDER,
    operator: 'Card reader disconnected; the driver reconnects with backoff. Check the cable if it persists.',
  },
  READER_TIMEOUT: {
    meaning: 'The PN532 did not ACK or answer a command within its timeout.',
    resident: OUT_OF_ORDER,
    operator: 'Card reader not answering; power-cycle the reader if it persists.',
  },
  READER_NOT_PN532: {
    meaning: 'The device on the reader port did not identify as a PN532 (GetFirmwareVersion IC ≠ 0x32).',
    resident: OUT_OF_ORDER,
    operator: 'Wrong device on the card-reader port; check the configuration.',
  },
  READER_NO_TYPE_B: {
    meaning: 'The PN532 firmware does not report ISO/IEC 14443 Type B support.',
    resident: OUT_OF_ORDER,
    operator: 'Card reader firmware lacks Type B support; replace the reader.',
  },
  READER_PROTOCOL_ERROR: {
    meaning: 'The PN532 sent an error frame, a NACK loop, or an answer to a different command.',
    resident: OUT_OF_ORDER,
    operator: 'Card reader protocol error; recorded with the command code.',
  },
});
