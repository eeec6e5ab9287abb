import { z } from 'zod';

/** Fee per copy, tax included (docs/reference.md §1.1). */
export const FEE_PER_COPY_YEN = 120;

/** The card's 券面事項入力補助用暗証番号 is 4 digits. */
export const PIN_LENGTH = 4;

/** The flow's timings and limits. All durations in milliseconds; parsed from config files and env. */
export const FlowConfigSchema = z.object({
  feePerCopy: z.number().int().positive().default(FEE_PER_COPY_YEN),
  maxCopies: z.number().int().min(1).max(10).default(5),
  /** No touch or key for this long: the idle warning appears. */
  idleMs: z.number().int().positive().default(60_000),
  /** The warning's countdown; then the transaction ends and everything is wiped. */
  idleWarningMs: z.number().int().positive().default(15_000),
  /** A card still on the reader after this long: the card-left-behind reminder (sound and screen). */
  cardReminderMs: z.number().int().positive().default(5_000),
  /** Certificates still in the tray after this long: the certificate-left-behind reminder. */
  certReminderMs: z.number().int().positive().default(10_000),
  /** The take-certificate screen returns to attract after this long. */
  takeCertificateMs: z.number().int().positive().default(60_000),
  /** Ended and error screens return to attract after this long once the card is gone. */
  endedMs: z.number().int().positive().default(10_000),
  /**
   * A printer fault during a paid job: after this long (stated on the screen) the resident may cancel and
   * get the fee of the unprinted copies back; the job resumes by itself if staff fix the printer first.
   */
  faultRefundOfferMs: z.number().int().positive().default(30_000),
  /**
   * A printer fault that staff do not fix within this long ends the wait: the print-failed screen (retry
   * or refund; idle there refunds). Counted from the fault's start.
   */
  faultGiveUpMs: z.number().int().positive().default(300_000),
  /** The wrong-PIN code the card port returns (the driver's code). */
  wrongPinCode: z.string().default('CARD_PIN_WRONG'),
  /** The locked-card code the card port returns. */
  lockedCode: z.string().default('CARD_PIN_LOCKED'),
});

export type FlowConfig = z.infer<typeof FlowConfigSchema>;

export function flowConfig(overrides: Partial<FlowConfig> = {}): FlowConfig {
  return FlowConfigSchema.parse(overrides);
}
