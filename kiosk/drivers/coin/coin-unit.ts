import type { SerialTransportFactory } from '../transport.js';
import type { Logger } from '../../../common/log.js';
import { CcTalkBus } from './cctalk-bus.js';
import { CoinAcceptor, type CoinEvent } from './coin-acceptor.js';
import { Hopper, HOPPER_COIN_YEN, type DispenseResult } from './hopper.js';
import { DeviceLink } from './link.js';

/** The fee for one certificate. */
export const FEE_PER_COPY_YEN = 120;

export type PaymentEvent =
  | { type: 'inserted'; yen: number; totalYen: number }
  | { type: 'rejected' }
  | { type: 'fault'; code: 'COIN_ACCEPTOR_JAM' | 'COIN_EVENTS_LOST' | 'DEVICE_DISCONNECTED' }
  | { type: 'acceptor'; connected: boolean }
  | { type: 'hopper'; connected: boolean };

export type PaymentResult =
  | { ok: true; totalYen: number; changeYen: number }
  | { ok: false; code: 'COIN_PAYMENT_CANCELLED' | 'DEVICE_DISCONNECTED' | 'COIN_NO_REPLY'; totalYen: number };

export type ChangeResult =
  | { ok: true; paidYen: number }
  | { ok: false; code: Exclude<DispenseResult, { ok: true }>['code']; paidYen: number };

export interface CoinUnitOptions {
  acceptor: SerialTransportFactory;
  hopper: SerialTransportFactory;
  /** Event-buffer poll interval (ccTalk asks for well under 1 s with a 5-event buffer). Default 100 ms. */
  pollMs?: number;
  /** ccTalk reply timeout. Default 250 ms. */
  replyTimeoutMs?: number;
  /** Hopper status poll during payout. Default 50 ms. */
  hopperPollMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  logger?: Logger;
}

interface OpenPayment {
  amount: number;
  total: number;
  settle(r: PaymentResult): void;
}

/**
 * The coin unit: a ccTalk coin acceptor and a 10-yen hopper. Coins are accepted only while a payment is
 * open; each coin event is counted once; change is paid by the hopper and a short payout is reported with
 * the amount actually paid, so the kiosk never charges silently.
 */
export class CoinUnit {
  readonly #acceptorLink: DeviceLink;
  readonly #hopperLink: DeviceLink;
  readonly #pollMs: number;
  readonly #log: Logger | undefined;
  readonly #listeners = new Set<(e: PaymentEvent) => void>();
  #acceptor: CoinAcceptor | undefined;
  #acceptorUp = false;
  #hopper: Hopper | undefined;
  #hopperUp = false;
  #payment: OpenPayment | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;
  /** Coins credited while no payment was open (should not happen; refunded by the kiosk as change). */
  #strayYen = 0;

  constructor(options: CoinUnitOptions) {
    if (typeof options?.acceptor !== 'function' || typeof options.hopper !== 'function')
      throw new TypeError('options.acceptor and options.hopper: transport factories are required');
    const backoff = { initialMs: options.backoff?.initialMs ?? 250, maxMs: options.backoff?.maxMs ?? 5000 };
    const timeoutMs = options.replyTimeoutMs ?? 250;
    this.#pollMs = options.pollMs ?? 100;
    this.#log = options.logger;
    this.#acceptorLink = new DeviceLink(
      options.acceptor,
      async (t) => {
        const bus = new CcTalkBus(t, { timeoutMs });
        const hadCounter = this.#acceptor !== undefined;
        if (this.#acceptor) this.#acceptor.bus = bus;
        else this.#acceptor = new CoinAcceptor(bus);
        const r = await this.#acceptor.init(hadCounter);
        if (!r.ok) {
          this.#log?.warn('coin.acceptor-init-failed', { code: r.code });
          return false;
        }
        if (this.#payment) await this.#acceptor.setAccepting(true);
        this.#acceptorUp = true;
        this.#emit({ type: 'acceptor', connected: true });
        this.#schedulePoll(0);
        return true;
      },
      () => {
        if (!this.#acceptorUp) return;
        this.#acceptorUp = false;
        this.#log?.warn('coin.acceptor-disconnected', { code: 'DEVICE_DISCONNECTED' });
        this.#emit({ type: 'acceptor', connected: false });
        if (this.#payment) this.#emit({ type: 'fault', code: 'DEVICE_DISCONNECTED' });
      },
      backoff,
    );
    this.#hopperLink = new DeviceLink(
      options.hopper,
      async (t) => {
        const bus = new CcTalkBus(t, { timeoutMs });
        if (this.#hopper) this.#hopper.bus = bus;
        else this.#hopper = new Hopper(bus, undefined, options.hopperPollMs ?? 50);
        const r = await this.#hopper.init();
        if (!r.ok) {
          this.#log?.warn('coin.hopper-init-failed', { code: r.code });
          return false;
        }
        this.#hopperUp = true;
        this.#emit({ type: 'hopper', connected: true });
        return true;
      },
      () => {
        if (!this.#hopperUp) return;
        this.#hopperUp = false;
        this.#log?.warn('coin.hopper-disconnected', { code: 'DEVICE_DISCONNECTED' });
        this.#emit({ type: 'hopper', connected: false });
      },
      backoff,
    );
  }

  /**
   * What the last payout learnt of the hopper (`empty`, `jam`), until a payout succeeds or it is re-plugged;
   * and whether the acceptor reported a jam since its last accepted coin. Reported in the kiosk's health.
   */
  hopperCondition: 'ok' | 'empty' | 'jam' = 'ok';
  acceptorJammed = false;

  get acceptorConnected(): boolean {
    return this.#acceptorUp;
  }

  get hopperConnected(): boolean {
    return this.#hopperUp;
  }

  get paymentOpen(): boolean {
    return this.#payment !== undefined;
  }

  /** Yen credited outside a payment (a coin slipping in as the entry closed); refund with `payChange`. */
  takeStrayYen(): number {
    const y = this.#strayYen;
    this.#strayYen = 0;
    return y;
  }

  onEvent(listener: (e: PaymentEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    await Promise.all([this.#acceptorLink.start(), this.#hopperLink.start()]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#pollTimer);
    if (this.#payment)
      this.#settle({ ok: false, code: 'COIN_PAYMENT_CANCELLED', totalYen: this.#payment.total });
    if (this.#acceptorUp) await this.#acceptor?.setAccepting(false);
    await Promise.all([this.#acceptorLink.stop(), this.#hopperLink.stop()]);
    this.#acceptorUp = false;
    this.#hopperUp = false;
  }

  /**
   * Opens the coin entry for `amountYen` (e.g. 120 per copy). Resolves when at least that much was
   * inserted (`changeYen` = the excess, to pay with `payChange` once the certificate is printed), or
   * with `COIN_PAYMENT_CANCELLED` after `cancelPayment()`.
   */
  async openPayment(amountYen: number): Promise<PaymentResult> {
    if (!Number.isInteger(amountYen) || amountYen <= 0 || amountYen % 10 !== 0)
      throw new TypeError('amountYen: a positive multiple of 10 is required');
    if (this.#payment)
      throw Object.assign(new Error('a payment is already open'), { code: 'COIN_PAYMENT_OPEN' as const });
    if (!this.#acceptorUp || !this.#acceptor) return { ok: false, code: 'DEVICE_DISCONNECTED', totalYen: 0 };
    const result = new Promise<PaymentResult>((settle) => {
      this.#payment = { amount: amountYen, total: 0, settle };
    });
    const on = await this.#acceptor.setAccepting(true);
    if (!on.ok) {
      this.#settle({
        ok: false,
        code: on.code === 'COIN_NO_REPLY' ? 'COIN_NO_REPLY' : 'DEVICE_DISCONNECTED',
        totalYen: 0,
      });
    } else this.#log?.info('coin.payment-open', { amountYen });
    return result;
  }

  /** Closes the entry and pays back everything inserted. Returns the payout outcome. */
  async cancelPayment(): Promise<ChangeResult> {
    const p = this.#payment;
    if (!p) throw Object.assign(new Error('no payment is open'), { code: 'COIN_NO_PAYMENT' as const });
    await this.#closeEntry();
    this.#settle({ ok: false, code: 'COIN_PAYMENT_CANCELLED', totalYen: p.total });
    this.#log?.info('coin.payment-cancelled', { refundYen: p.total });
    return this.payChange(p.total);
  }

  /** Pays `yen` (a multiple of 10) from the hopper; `paidYen` is what actually came out. */
  async payChange(yen: number): Promise<ChangeResult> {
    if (!Number.isInteger(yen) || yen < 0 || yen % HOPPER_COIN_YEN !== 0)
      throw Object.assign(new TypeError(`yen: a non-negative multiple of ${HOPPER_COIN_YEN} is required`), {
        code: 'HOPPER_BAD_AMOUNT' as const,
      });
    if (yen === 0) return { ok: true, paidYen: 0 };
    if (!this.#hopperUp || !this.#hopper) return { ok: false, code: 'DEVICE_DISCONNECTED', paidYen: 0 };
    let coins = yen / HOPPER_COIN_YEN;
    let paid = 0;
    while (coins > 0) {
      const batch = Math.min(coins, 255);
      const r = await this.#hopper.dispense(batch);
      paid += r.paid;
      if (!r.ok) {
        if (r.code === 'HOPPER_EMPTY') this.hopperCondition = 'empty';
        if (r.code === 'HOPPER_JAM') this.hopperCondition = 'jam';
        this.#log?.error('coin.change-short', { code: r.code, dueYen: yen, paidYen: paid * HOPPER_COIN_YEN });
        return { ok: false, code: r.code, paidYen: paid * HOPPER_COIN_YEN };
      }
      coins -= batch;
    }
    this.hopperCondition = 'ok';
    this.#log?.info('coin.change-paid', { paidYen: paid * HOPPER_COIN_YEN });
    return { ok: true, paidYen: paid * HOPPER_COIN_YEN };
  }

  async #closeEntry(): Promise<void> {
    if (!this.#acceptorUp || !this.#acceptor) return;
    await this.#acceptor.setAccepting(false);
    // A coin already past the entry when it closed still arrives: one more poll collects it.
    await this.#pollOnce();
  }

  #settle(r: PaymentResult): void {
    const p = this.#payment;
    if (!p) return;
    this.#payment = undefined;
    p.settle(r);
  }

  #schedulePoll(delay = this.#pollMs): void {
    clearTimeout(this.#pollTimer);
    if (this.#stopped || !this.#acceptorUp) return;
    this.#pollTimer = setTimeout(() => {
      void this.#pollOnce().then(() => this.#schedulePoll());
    }, delay);
  }

  async #pollOnce(): Promise<void> {
    const acceptor = this.#acceptor;
    if (!acceptor || !this.#acceptorUp) return;
    const r = await acceptor.poll();
    if (!r.ok) {
      this.#log?.debug('coin.poll-failed', { code: r.code });
      return;
    }
    for (const e of r.events) this.#onCoinEvent(e);
    const p = this.#payment;
    if (p && p.total >= p.amount) {
      await acceptor.setAccepting(false);
      const late = await acceptor.poll();
      if (late.ok) for (const e of late.events) this.#onCoinEvent(e);
      this.#settle({ ok: true, totalYen: p.total, changeYen: p.total - p.amount });
      this.#log?.info('coin.payment-complete', { totalYen: p.total, changeYen: p.total - p.amount });
    }
  }

  #onCoinEvent(e: CoinEvent): void {
    switch (e.type) {
      case 'coin': {
        const p = this.#payment;
        if (!p) {
          this.#strayYen += e.yen;
          this.#log?.warn('coin.stray-credit', { yen: e.yen });
          return;
        }
        p.total += e.yen;
        this.#emit({ type: 'inserted', yen: e.yen, totalYen: p.total });
        return;
      }
      case 'rejected':
        this.#emit({ type: 'rejected' });
        return;
      case 'jam':
        this.#log?.warn('coin.acceptor-jam', { code: 'COIN_ACCEPTOR_JAM' });
        this.#emit({ type: 'fault', code: 'COIN_ACCEPTOR_JAM' });
        return;
      case 'lost':
      case 'reset':
        this.#log?.error('coin.events-lost', { code: 'COIN_EVENTS_LOST' });
        this.#emit({ type: 'fault', code: 'COIN_EVENTS_LOST' });
        return;
      default: {
        const never: never = e;
        return never;
      }
    }
  }

  #emit(e: PaymentEvent): void {
    if (e.type === 'fault' && e.code === 'COIN_ACCEPTOR_JAM') this.acceptorJammed = true;
    if (e.type === 'inserted') this.acceptorJammed = false;
    for (const l of this.#listeners) l(e);
  }
}
