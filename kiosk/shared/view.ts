/**
 * What the renderer is shown: one view per screen, discriminated on `screen`. The main process owns the
 * transaction; the renderer only draws the current view and sends intents back. Types only (the renderer
 * imports this file, so it holds no runtime code and no Node import).
 *
 * The PIN never appears here: the PIN screen learns only how many digits were typed.
 */

export type CertType = 'domestic' | 'overseas';

/**
 * A municipality as the flow offers it: its 6-digit 全国地方公共団体コード. Names, readings and English names
 * are public data the renderer takes from `protocol/municipalities`.
 */
export type MunicipalityView = string;

export interface DoseView {
  /** Dose number (1, 2, …). */
  dose: number;
  /** ISO date `YYYY-MM-DD`. */
  date: string;
  /** Product name in Japanese. */
  vaccine: string;
  /** Product name in English, when it differs. */
  vaccineEn?: string;
  lot?: string;
}

/** The records shown for confirmation before any fee is taken. */
export interface RecordPreview {
  name: string;
  /** Romaji name (overseas version), when VRS holds one. */
  nameEn?: string;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  /** Printed on the overseas version, so shown before the fee. */
  passportNumber?: string;
  nationality?: string;
  /** The municipality's code, as printed (its name comes from `protocol/municipalities`). */
  municipality?: string;
  doses: DoseView[];
}

export type BusyTask =
  'checking-card' | 'reading-card' | 'loading-municipalities' | 'querying' | 'paying-change' | 'refunding';

/** Screens of the resident's flow, in order. */
export type ScreenView =
  | { screen: 'attract'; available: boolean }
  | {
      screen: 'place-card';
      /** Set when the chosen municipality needs the other authentication: place the card again for that PIN. */
      again?: 'jpki' | 'card-ap';
    }
  | { screen: 'menu' }
  | { screen: 'busy'; task: BusyTask }
  | {
      screen: 'pin';
      digits: number;
      length: number;
      triesLeft: number | null;
      wrong: boolean;
      /** Which PIN: 利用者証明用 (JPKI, the default) or 券面事項入力補助用 (カードAP); `triesLeft` is its counter. */
      pinKind?: 'jpki' | 'card-ap';
      /** The other PIN and its own counter (each PIN has one), shown beside; absent when unknown. */
      otherPin?: { pinKind: 'jpki' | 'card-ap'; triesLeft: number };
      /** The municipality chosen needs this PIN: the card was placed again for it (second authentication). */
      again?: boolean;
    }
  | { screen: 'remove-card'; reminder: boolean }
  | { screen: 'municipality'; list: MunicipalityView[] }
  | { screen: 'cert-type' }
  | { screen: 'copies'; max: number; feePerCopy: number }
  | { screen: 'preview'; preview: RecordPreview; certType: CertType; copies: number; fee: number }
  | {
      screen: 'payment';
      due: number;
      inserted: number;
      /** Coin and note values taken now (those whose change the kiosk can pay); absent = all. */
      accepts?: number[];
      /** Some coins or notes are refused because their change cannot be paid: pay the exact amount. */
      exactOnly?: boolean;
    }
  /** A device the job needs is not ready: nothing was taken; the resident may try again or cancel. */
  | { screen: 'payment-blocked'; code: string; fee: number }
  | {
      screen: 'printing';
      copy: number;
      copies: number;
      /** The printer stopped (paper out, cover open, jam…): the code while it lasts, else null. */
      fault?: string | null;
      /** When the fault began (ms since epoch), for "call staff" and the refund offer's countdown. */
      refundAt?: number | null;
      /** The resident may now cancel and get the fee of the unprinted copies back. */
      refundOffered?: boolean;
      /** Yen paid back for the copies not printed, if the resident cancels now. */
      refund?: number;
    }
  | { screen: 'print-failed'; code: string; printed: number; copies: number; refund: number }
  | {
      screen: 'take-certificate';
      copies: number;
      reminder: boolean;
      notice: string | null;
      /** Change paid out in this transaction: the resident is reminded to take it. */
      change?: number;
    }
  | {
      screen: 'ended';
      reason: 'cancelled' | 'timeout' | 'refunded';
      refunded: number;
      cardOnReader: boolean;
      reminder: boolean;
    }
  | { screen: 'error'; code: string; refunded: number; cardOnReader: boolean; reminder: boolean };

export type ScreenName = ScreenView['screen'];

/** A view as sent to the renderer: the screen plus what every screen shares. */
export type ViewState = ScreenView & {
  /** Increases with every view; the renderer ignores a stale one. */
  seq: number;
  /** Set while the idle warning runs: the transaction ends at `idleDeadline` (ms since epoch) unless touched. */
  idleDeadline: number | null;
};
