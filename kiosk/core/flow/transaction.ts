import type { CertType, RecordPreview } from '../../shared/view.js';
import type { CardData, OtherPin } from './ports.js';

let nextId = 1;

/** Zeroes every byte buffer of what the card yielded (either method). */
export function wipeCardData(c: CardData): void {
  if (c.method === 'jpki') {
    c.certificate.fill(0);
    c.signature.fill(0);
    c.nonce.fill(0);
  } else {
    c.myNumberEf.fill(0);
    c.basic4Ef.fill(0);
    c.signatureEf.fill(0);
    c.certificateEf.fill(0);
  }
}

/**
 * Everything the kiosk holds about one resident, in memory only, for one transaction. `wipe()` zeroes the
 * byte buffers and drops every reference; the flow calls it on success, cancel, timeout and error.
 */
export class Transaction<C> {
  /** Meaningless outside this process: safe to log. */
  readonly id = nextId++;
  card: CardData | null = null;
  municipality: string | null = null;
  certType: CertType | null = null;
  copies = 0;
  /** Yen due for the copies chosen. */
  fee = 0;
  preview: RecordPreview | null = null;
  certificate: C | null = null;
  document: Uint8Array | null = null;
  /** Yen accepted by the coin unit in this transaction (credited toward the fee). */
  inserted = 0;
  /** Change paid out after the fee (the take-certificate screen reminds the resident). */
  changePaid = 0;
  /** The resident chose to stop a job held by a printer fault: refund the unprinted copies. */
  stopPrinting = false;
  /** When the printer fault holding this job began (clock ms), or null. */
  faultSince: number | null = null;
  /** Copies the printer reported as finished. */
  printed = 0;
  /** Set when payment completed: from here on, never end without a print or a refund. */
  paid = false;
  /** The other PIN's counter, read with this one's, shown on the PIN screen. */
  otherPin: OtherPin | null = null;
  /** The municipality needed the other authentication method: the card was asked for again (once). */
  methodSwitched = false;
  /** VRS answered this transaction's request (the relay is told the outcome at the end). */
  answered = false;
  #wiped = false;

  /** Zeroes and drops the card's files (once the request is answered, they are not needed). */
  dropCard(): void {
    if (!this.card) return;
    wipeCardData(this.card);
    this.card = null;
  }

  get wiped(): boolean {
    return this.#wiped;
  }

  wipe(): void {
    this.dropCard();
    this.document?.fill(0);
    this.preview = null;
    this.certificate = null;
    this.document = null;
    this.municipality = null;
    this.certType = null;
    this.#wiped = true;
  }
}
