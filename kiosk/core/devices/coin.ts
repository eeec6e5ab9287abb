import type { CoinUnit, PaymentResult } from '../../drivers/coin/index.js';
import type { NoteValidator } from '../../drivers/note/index.js';
import type { CashCheck, CoinPort, Done, Failure } from '../flow/ports.js';

/** Notes the kiosk takes, as convenience-store copiers do: 1,000-yen notes (larger ones come back). */
export const NOTES_TAKEN: readonly number[] = [1000];

/**
 * The flow's cash port over the ccTalk coin unit and, when fitted, the ID-003 note validator. The unit
 * closes its entry by itself once the amount is reached; the change is paid by the flow (`payout`) after
 * it decided, so every yen is accounted for once. A note is stacked only when its change can be paid
 * (else the validator hands it back from escrow); a stacked note counts toward the same payment, and a
 * cancel pays it back in coins.
 */
export class CoinAdapter implements CoinPort {
  #payment: Promise<PaymentResult> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #credit = new Set<(yen: number) => void>();
  readonly #accepts = new Set<(values: number[]) => void>();

  constructor(
    private readonly unit: CoinUnit,
    private readonly notes?: NoteValidator,
  ) {
    unit.onEvent((e) => {
      if (e.type === 'inserted') for (const l of this.#credit) l(e.yen);
      if (e.type === 'accepting') {
        const values = [...e.values, ...this.#noteValues()];
        for (const l of this.#accepts) l(values);
      }
    });
    notes?.onEvent((e) => {
      if (e.type !== 'credit') return;
      // Into the open payment; a note stacked with no payment open still reaches the flow, which pays it back.
      if (!this.unit.addCredit(e.yen)) for (const l of this.#credit) l(e.yen);
    });
  }

  #noteValues(due?: number): number[] {
    const n = this.notes;
    if (!n || !n.ready) return [];
    return NOTES_TAKEN.filter((v) =>
      due === undefined ? this.unit.accepts(v) : v <= due || this.unit.canPayChange(v - due),
    );
  }

  async check(due: number): Promise<CashCheck | Failure> {
    if (!this.unit.acceptorConnected) return { ok: false, code: 'DEVICE_DISCONNECTED' };
    await this.#serial(() => this.unit.refreshLevels());
    const coins = this.unit.acceptedValues(due, 0);
    const all = this.unit.acceptedValues(Infinity, 0);
    const notesUp = this.notes?.ready === true;
    const notes = this.#noteValues(due);
    const accepts = [...coins, ...notes];
    const exactOnly = coins.length < all.length || (notesUp && notes.length < NOTES_TAKEN.length);
    return { ok: true, accepts, exactOnly };
  }

  async enable(due: number): Promise<Done> {
    if (!this.unit.acceptorConnected) return { ok: false, code: 'DEVICE_DISCONNECTED' };
    const payment = this.unit.openPayment(due);
    this.#payment = payment;
    const early = await Promise.race([payment, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    if (early && !early.ok) {
      return { ok: false, code: early.code };
    }
    if (this.notes?.ready)
      await this.notes.enable((yen) => NOTES_TAKEN.includes(yen) && this.unit.accepts(yen));
    return { ok: true };
  }

  async disable(): Promise<void> {
    await this.notes?.disable();
    // The unit closes the entry itself once the amount is reached, just after reporting the last coin:
    // wait for that (never cancel here: a cancel pays everything back).
    const p = this.#payment;
    this.#payment = null;
    if (p) await Promise.race([p, new Promise((r) => setTimeout(r, 2000))]);
  }

  async cancel(): Promise<{ ok: true; refunded: number } | { ok: false; code: string; paid: number }> {
    this.#payment = null;
    // Notes first: one in escrow goes back to the resident; one already stacked is in the payment's total.
    await this.notes?.disable();
    if (!this.unit.paymentOpen) return { ok: true, refunded: 0 };
    const r = await this.#serial(() => this.unit.cancelPayment());
    return r.ok ? { ok: true, refunded: r.paidYen } : { ok: false, code: r.code, paid: r.paidYen };
  }

  onCredit(listener: (yen: number) => void): () => void {
    this.#credit.add(listener);
    return () => this.#credit.delete(listener);
  }

  onAccepts(listener: (values: number[]) => void): () => void {
    this.#accepts.add(listener);
    return () => this.#accepts.delete(listener);
  }

  async payout(yen: number): Promise<{ ok: true } | { ok: false; code: string; paid: number }> {
    const r = await this.#serial(() => this.unit.payChange(yen));
    return r.ok ? { ok: true } : { ok: false, code: r.code, paid: r.paidYen };
  }

  /** One hopper operation at a time (a second dispense while one runs is refused by the hopper). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
