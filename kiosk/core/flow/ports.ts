import type { CertType, MunicipalityView, RecordPreview } from '../../shared/view.js';

/**
 * The flow's view of the world: small interfaces over the devices, the relay and time, so the state machine
 * runs the same over the real drivers (adapters in `kiosk/core/devices/`) and over fakes in tests.
 *
 * Ports report expected failures as `{ ok: false, code }` with a code from `protocol/errors`; they throw
 * only on programming errors.
 */

export type Failure = { ok: false; code: string };
export type Done = { ok: true } | Failure;

/**
 * What the card yields after the PIN is verified: the raw elementary files of the 券面事項入力補助AP, sent
 * sealed to VRS (which verifies and parses them). The flow never parses them; all four are zeroed on wipe.
 */
export type CardData = KenhojoCardData | JpkiCardData;

/** カードAP authentication: the 券面事項入力補助AP's files. */
export interface KenhojoCardData {
  method?: 'card-ap';
  /** EF 00 01: My Number. */
  myNumberEf: Uint8Array;
  /** EF 00 02: 基本4情報 (name, address, birth date, sex). */
  basic4Ef: Uint8Array;
  /** EF 00 03: the signature block. */
  signatureEf: Uint8Array;
  /** EF 00 04: the signing certificate. */
  certificateEf: Uint8Array;
}

/**
 * JPKI authentication (the default): the card's 利用者証明用電子証明書 and its signature over the challenge
 * (`protocol/card-data/jpki.ts`). No personal data: the kiosk never reads the My Number on this path.
 */
export interface JpkiCardData {
  method: 'jpki';
  /** EF 00 0A of the 公的個人認証AP (X.509 DER). */
  certificate: Uint8Array;
  /** The card's signature over `jpkiChallenge({ kioskId, nonce, signedAt })`. */
  signature: Uint8Array;
  kioskId: string;
  nonce: Uint8Array;
  signedAt: number;
}

/** The two 4-digit PINs a kiosk may ask for: 利用者証明用 (JPKI) and 券面事項入力補助用 (カードAP). */
export type PinKind = 'jpki' | 'card-ap';

/** The PIN not asked for now, and its own counter. */
export interface OtherPin {
  pinKind: PinKind;
  triesLeft: number;
}

export type CardReadResult =
  | { ok: true; data: CardData }
  /** `triesLeft` is set when the code is the wrong-PIN code and the card told how many remain. */
  | { ok: false; code: string; triesLeft?: number };

export interface CardPort {
  /** Whether a card sits on the reader now. */
  isPresent(): boolean;
  /** Card placed (`true`) or removed (`false`). */
  onPresence(listener: (present: boolean) => void): () => void;
  /** Which PIN the card step asks for: 利用者証明用 (JPKI, the default) or 券面事項入力補助用 (カードAP). */
  pinKind?(): PinKind;
  /**
   * The method for the next card placements (`null`: back to the configured one). The flow switches when VRS
   * answers that the chosen municipality uses the other method (VRS_AUTH_METHOD_NOT_ALLOWED).
   */
  useMethod?(method: PinKind | null): void;
  /**
   * Remaining PIN tries, read without consuming one. 0 = locked. `other`: the other PIN's own counter
   * (the card has one per PIN), shown beside it; absent when the card could not tell.
   */
  pinTriesLeft(): Promise<{ ok: true; triesLeft: number; other?: OtherPin } | Failure>;
  /**
   * Verifies `pin` (ASCII digits) and reads the card. The caller owns `pin` and zeroes it afterwards.
   * A wrong PIN: `{ ok: false, code: wrongPinCode, triesLeft }`; a locked card: the locked code.
   */
  read(pin: Uint8Array): Promise<CardReadResult>;
}

/** What the PIN pad reports: never a digit, only how many (the PIN stays in the pad's buffer). */
export type PinPadEvent =
  | { type: 'digits'; count: number }
  | { type: 'enter'; complete: boolean }
  | { type: 'cancel' }
  | { type: 'cleared' };

/** The PIN pad: keys go to the main process only; the UI learns the count of digits. */
export interface PinPadPort {
  onEvent(listener: (e: PinPadEvent) => void): () => void;
  /** Opens a PIN entry (empty buffer, keys counted, LED on). */
  startEntry(): void;
  /** Closes the entry; digits not taken are zeroed. */
  endEntry(): void;
  /** The PIN confirmed with Enter, as ASCII digits in a fresh buffer the caller zeroes; undefined if none. */
  takePin(): Promise<Uint8Array | undefined>;
}

/** What the cash devices can take for a fee, decided before a single coin is taken. */
export interface CashCheck {
  ok: true;
  /** Coin and note values the kiosk takes for this fee (those whose change it can pay). */
  accepts: number[];
  /** Some value the kiosk normally takes is refused because its change cannot be paid. */
  exactOnly: boolean;
}

export interface CoinPort {
  /** Before payment: which coins and notes can be taken for `due`; a failure when nothing can. */
  check?(due: number): Promise<CashCheck | Failure>;
  /** During a payment: the values taken now changed (a coin left change the hoppers cannot pay). */
  onAccepts?(listener: (accepts: number[]) => void): () => void;
  /** Starts accepting coins for a payment of `due` yen. */
  enable(due: number): Promise<Done>;
  /** Stops accepting coins once the fee is covered (nothing is paid back). */
  disable(): Promise<void>;
  /** Closes the entry and pays back every coin inserted since `enable`. */
  cancel(): Promise<{ ok: true; refunded: number } | { ok: false; code: string; paid: number }>;
  /** A coin was accepted, worth `yen`. */
  onCredit(listener: (yen: number) => void): () => void;
  /** Pays `yen` out of the hopper. On failure, `paid` tells how much did come out. */
  payout(yen: number): Promise<{ ok: true } | { ok: false; code: string; paid: number }>;
}

export interface PrinterPort {
  /** Sends one document and resolves at the printer's job-end report (or its failure). */
  print(document: Uint8Array, jobName: string): Promise<Done>;
  /** Before payment: whether the printer can print `copies` copies now (ready, not out of paper). */
  check?(copies: number): Promise<Done>;
  /** The printer stopped (a fault code: paper out, cover open, jam…) or runs again (`null`). */
  onFault?(listener: (code: string | null) => void): () => void;
  /** Cancels the job being printed; its `print` resolves with a failure. */
  cancel?(): Promise<void>;
  /** Printed paper was taken from the output tray, where the printer can tell. */
  onPaperTaken?(listener: () => void): () => void;
}

export interface CertificatePort<C> {
  /** Renders the certificate (PDF, in memory) for one issued answer. */
  render(certificate: C, certType: CertType): Promise<{ ok: true; document: Uint8Array } | Failure>;
}

export interface IssueRequest {
  card: CardData;
  municipality: string;
  certType: CertType;
  copies: number;
}

export type IssueResult<C> =
  | { ok: true; outcome: 'issued'; preview: RecordPreview; certificate: C }
  | { ok: true; outcome: 'no-record' }
  | Failure;

export interface RelayPort<C> {
  /** Whether the kiosk is enrolled and can reach the relay; the attract screen says so. */
  available(): boolean;
  /** Availability changed (connected, enrolled, kill switch). */
  onAvailability?(listener: () => void): () => void;
  municipalities(): Promise<{ ok: true; list: MunicipalityView[] } | Failure>;
  /** What became of the last answered request, for the relay's audit trail (no personal data). */
  outcome?(outcome: 'printed' | 'cancelled' | 'refunded' | 'print-failed' | 'no-record', code?: string): void;
  /** The certificate request, sealed to VRS and sent through the relay, before any fee is taken. */
  issue(request: IssueRequest): Promise<IssueResult<C>>;
}

export type TimerHandle = { readonly __timer: unique symbol } | number | object;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface FlowPorts<C> {
  card: CardPort;
  pinpad: PinPadPort;
  coin: CoinPort;
  printer: PrinterPort;
  certificate: CertificatePort<C>;
  relay: RelayPort<C>;
  clock: Clock;
}
