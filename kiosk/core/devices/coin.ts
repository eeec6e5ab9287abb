import type { CoinUnit, PaymentResult } from '../../drivers/coin/index.js';
import type { CoinPort, Done } from '../flow/ports.js';

/**
 * The flow's coin port over the ccTalk coin unit. The unit closes its entry by itself once the amount is
 * reached; the change is paid by the flow (`payout`) after it decided, so every yen is accounted for once.
 */
export class CoinAdapter implements CoinPort {
  #payment: Promise<PaymentResult> | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly unit: CoinUnit) {}

  async enable(due: number): Promise<Done> {
    if (!this.unit.acceptorConnected) return { ok: false, code: 'DEVICE_DISCONNECTED' };
    const payment = this.unit.openPayment(due);
    this.#payment = payment;
    const early = await Promise.race([payment, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    if (early && !early.ok) {
      return { ok: false, code: early.code };
    }
    return { ok: true };
  }

  async disable(): Promise<void> {
    // The unit closes the entry itself once the amount is reached, just after reporting the last coin:
    // wait for that (never cancel here: a cancel pays everything back).
    const p = this.#payment;
    this.#payment = null;
    if (p) await Promise.race([p, new Promise((r) => setTimeout(r, 2000))]);
  }

  async cancel(): Promise<{ ok: true; refunded: number } | { ok: false; code: string; paid: number }> {
    this.#payment = null;
    if (!this.unit.paymentOpen) return { ok: true, refunded: 0 };
    const r = await this.#serial(() => this.unit.cancelPayment());
    return r.ok ? { ok: true, refunded: r.paidYen } : { ok: false, code: r.code, paid: r.paidYen };
  }

  onCredit(listener: (yen: number) => void): () => void {
    return this.unit.onEvent((e) => {
      if (e.type === 'inserted') listener(e.yen);
    });
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
