import type { SerialTransportFactory } from '../transport.js';
import { coded } from '../../../protocol/errors/index.js';
import type { Logger } from '../../../common/log.js';
import { CcTalkBus } from './cctalk-bus.js';
import { CoinAcceptor, type CoinEvent } from './coin-acceptor.js';
import { Hopper, HOPPER_COIN_YEN, HOPPERS, type DispenseResult, type HopperLevel } from './hopper.js';
import { DeviceLink } from './link.js';
import { planChange, type CoinStock } from './change-plan.js';

/** The fee for one certificate. */
export const FEE_PER_COPY_YEN = 120;

export type PaymentEvent =
  | { type: 'inserted'; yen: number; totalYen: number; source?: 'coin' | 'note' }
  | { type: 'rejected' }
  | { type: 'fault'; code: 'COIN_ACCEPTOR_JAM' | 'COIN_EVENTS_LOST' | 'DEVICE_DISCONNECTED' }
  | { type: 'acceptor'; connected: boolean }
  /** The coin values the entry takes changed during a payment (a coin left change that cannot be paid). */
  | { type: 'accepting'; values: number[] }
  | { type: 'hopper'; connected: boolean };

export type PaymentResult =
  | { ok: true; totalYen: number; changeYen: number }
  | { ok: false; code: 'COIN_PAYMENT_CANCELLED' | 'DEVICE_DISCONNECTED' | 'COIN_NO_REPLY'; totalYen: number };

export type ChangeResult =
  | { ok: true; paidYen: number }
  | { ok: false; code: Exclude<DispenseResult, { ok: true }>['code']; paidYen: number };

/** One change hopper as the kiosk knows it (for the heartbeat and the pre-payment check). */
export interface HopperReport {
  yen: number;
  address: number;
  connected: boolean;
  /** The low-level sensor tripped: not used for change (a refund still tries it). */
  low: boolean;
  /** A payout ran it dry: not used until its sensor reads above low again. */
  empty: boolean;
  /**
   * A payout jammed (coins stuck in its path, `HOPPER_JAM`): not used until its test (`163`) says the path is
   * clear again. Someone at the store must open it, so it is reported as a jam, never as empty.
   */
  jammed: boolean;
}

export interface CoinUnitOptions {
  acceptor: SerialTransportFactory;
  /** The change hoppers' ccTalk line (multi-drop: one address per coin value, see `HOPPERS`). */
  hopper: SerialTransportFactory;
  /** The hoppers on that line; default `HOPPERS` (100, 50, 10 yen at addresses 5, 4, 3). */
  hoppers?: readonly { address: number; yen: number }[];
  /** Event-buffer poll interval (ccTalk asks for well under 1 s with a 5-event buffer). Default 100 ms. */
  pollMs?: number;
  /** ccTalk reply timeout. Default 250 ms. */
  replyTimeoutMs?: number;
  /** Hopper status poll during payout. Default 50 ms. */
  hopperPollMs?: number;
  /**
   * While idle (no payment open, no payout), the hoppers' level sensors and jam state are read this often, so
   * a refilled or cleared hopper is reported (and its alert cleared) without waiting for a resident. Default
   * 30 s; 0 turns it off.
   */
  levelPollMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  logger?: Logger;
}

interface OpenPayment {
  amount: number;
  total: number;
  settle(r: PaymentResult): void;
  /** Coin values the entry takes now (those whose change can be paid); a key for "changed?". */
  accepting: string;
}

interface HopperSlot {
  hopper: Hopper;
  yen: number;
  address: number;
  up: boolean;
  level: HopperLevel | undefined;
  empty: boolean;
  jammed: boolean;
}

/**
 * The coin unit: a ccTalk coin acceptor and change hoppers for 100, 50 and 10 yen on one multi-drop line.
 * Coins are accepted only while a payment is open, and only those whose change the hoppers can pay (the
 * others' channels are inhibited, so the acceptor hands them straight back); each coin event is counted
 * once; change is paid in the fewest coins, falling back to smaller coins when a hopper runs dry, and a
 * short payout is reported with the amount actually paid, so the kiosk never charges silently.
 */
export class CoinUnit {
  readonly #acceptorLink: DeviceLink;
  readonly #hopperLink: DeviceLink;
  readonly #pollMs: number;
  readonly #log: Logger | undefined;
  readonly #listeners = new Set<(e: PaymentEvent) => void>();
  #acceptor: CoinAcceptor | undefined;
  #acceptorUp = false;
  readonly #slots: HopperSlot[] = [];
  readonly #hopperSpec: readonly { address: number; yen: number }[];
  #hopperUp = false;
  #completing = false;
  #payment: OpenPayment | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #levelTimer: ReturnType<typeof setInterval> | undefined;
  readonly #levelPollMs: number;
  /** A payout is running (the idle level read waits for the next round). */
  #paying = false;
  #levels: Promise<void> | undefined;
  #stopped = true;
  /** Coins credited while no payment was open (should not happen; refunded by the kiosk as change). */
  #strayYen = 0;

  constructor(options: CoinUnitOptions) {
    if (typeof options?.acceptor !== 'function' || typeof options.hopper !== 'function')
      throw new TypeError('options.acceptor and options.hopper: transport factories are required');
    const backoff = { initialMs: options.backoff?.initialMs ?? 250, maxMs: options.backoff?.maxMs ?? 5000 };
    const timeoutMs = options.replyTimeoutMs ?? 250;
    this.#pollMs = options.pollMs ?? 100;
    this.#levelPollMs = options.levelPollMs ?? 30_000;
    this.#log = options.logger;
    this.#hopperSpec = options.hoppers ?? HOPPERS;
    const hopperPollMs = options.hopperPollMs ?? 50;
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
        const open = this.#payment;
        if (open) await this.#acceptor.setAccepting(true, this.acceptedValues(open.amount, open.total));
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
        if (this.#slots.length === 0)
          for (const h of this.#hopperSpec)
            this.#slots.push({
              hopper: new Hopper(bus, h.address, hopperPollMs),
              yen: h.yen,
              address: h.address,
              up: false,
              level: undefined,
              empty: false,
              jammed: false,
            });
        for (const slot of this.#slots) {
          slot.hopper.bus = bus;
          const r = await slot.hopper.init();
          slot.up = r.ok;
          if (!r.ok) this.#log?.warn('coin.hopper-init-failed', { code: r.code, yen: slot.yen });
        }
        if (!this.#slots.some((x) => x.up)) return false;
        await this.refreshLevels();
        this.#hopperUp = true;
        this.#emit({ type: 'hopper', connected: true });
        return true;
      },
      () => {
        for (const slot of this.#slots) slot.up = false;
        if (!this.#hopperUp) return;
        this.#hopperUp = false;
        this.#log?.warn('coin.hopper-disconnected', { code: 'DEVICE_DISCONNECTED' });
        this.#emit({ type: 'hopper', connected: false });
      },
      backoff,
    );
  }

  get acceptorConnected(): boolean {
    return this.#acceptorUp;
  }

  get hopperConnected(): boolean {
    return this.#hopperUp;
  }

  /** Each hopper's state, for the heartbeat and the operator. */
  get hoppers(): HopperReport[] {
    return this.#slots.map((x) => ({
      yen: x.yen,
      address: x.address,
      connected: x.up,
      low: x.level?.low ?? false,
      empty: x.empty,
      jammed: x.jammed,
    }));
  }

  /**
   * Reads every hopper's level sensor; a hopper marked empty is usable again once it reads above low, a
   * jammed one once its test says the coin path is clear.
   */
  refreshLevels(): Promise<void> {
    // One read at a time: a caller arriving during the idle read waits for that one.
    this.#levels ??= this.#refreshLevels().finally(() => (this.#levels = undefined));
    return this.#levels;
  }

  async #refreshLevels(): Promise<void> {
    await this.#revive();
    for (const slot of this.#slots) {
      if (!slot.up) continue;
      const r = await slot.hopper.level();
      if (!r.ok) {
        this.#log?.warn('coin.hopper-level-failed', { code: r.code, yen: slot.yen });
        continue;
      }
      slot.level = r.level;
      if (slot.empty && r.level.lowSensor && !r.level.low) slot.empty = false;
      if (slot.jammed) {
        const j = await slot.hopper.jammed();
        if (j.ok && !j.jammed) {
          slot.jammed = false;
          this.#log?.info('coin.hopper-jam-cleared', { yen: slot.yen });
        }
      }
    }
  }

  /** Whether the hoppers can pay `yen` of change now without touching a low or empty hopper. */
  canPayChange(yen: number): boolean {
    if (yen === 0) return true;
    return planChange(yen, this.#stocks(true)) !== undefined;
  }

  /** Whether a coin or note of `yen` may go into the open payment now (its change, if any, can be paid). */
  accepts(yen: number): boolean {
    const p = this.#payment;
    if (!p) return false;
    return p.total + yen <= p.amount || this.canPayChange(p.total + yen - p.amount);
  }

  /**
   * The coin values the entry takes for a payment of `amountYen` with `paidYen` already in, given the
   * hoppers now (before a payment: which coins need no change the kiosk cannot pay).
   */
  acceptedValues(amountYen: number, paidYen = 0, values?: readonly number[]): number[] {
    const all = values ?? [...new Set(this.#acceptor?.channels.values() ?? [])].sort((a, b) => a - b);
    return all.filter((v) => paidYen + v <= amountYen || this.canPayChange(paidYen + v - amountYen));
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
    if (this.#levelPollMs > 0) {
      this.#levelTimer = setInterval(() => void this.#idleLevels(), this.#levelPollMs);
      this.#levelTimer.unref?.();
    }
  }

  /** The idle read of levels and jams: never during a payment or a payout. */
  async #idleLevels(): Promise<void> {
    if (this.#stopped || !this.#hopperUp || this.#payment || this.#paying) return;
    await this.refreshLevels();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#pollTimer);
    clearInterval(this.#levelTimer);
    this.#levelTimer = undefined;
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
    if (this.#payment) throw coded('COIN_PAYMENT_OPEN', 'a payment is already open');
    if (!this.#acceptorUp || !this.#acceptor) return { ok: false, code: 'DEVICE_DISCONNECTED', totalYen: 0 };
    const result = new Promise<PaymentResult>((settle) => {
      this.#payment = { amount: amountYen, total: 0, settle, accepting: '' };
    });
    const values = this.acceptedValues(amountYen, 0);
    this.#payment!.accepting = values.join(',');
    const on = await this.#acceptor.setAccepting(true, values);
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
    if (!p) throw coded('COIN_NO_PAYMENT', 'no payment is open');
    await this.#closeEntry();
    this.#settle({ ok: false, code: 'COIN_PAYMENT_CANCELLED', totalYen: p.total });
    this.#log?.info('coin.payment-cancelled', { refundYen: p.total });
    return this.payChange(p.total);
  }

  /**
   * Pays `yen` (a multiple of 10) in the fewest coins the hoppers can give; when one runs dry or jams
   * mid-way, the rest is planned again from the others. `paidYen` is what actually came out.
   */
  async payChange(yen: number): Promise<ChangeResult> {
    if (!Number.isInteger(yen) || yen < 0 || yen % HOPPER_COIN_YEN !== 0)
      throw coded('HOPPER_BAD_AMOUNT', `yen: a non-negative multiple of ${HOPPER_COIN_YEN} is required`);
    if (yen === 0) return { ok: true, paidYen: 0 };
    if (!this.#hopperUp) return { ok: false, code: 'DEVICE_DISCONNECTED', paidYen: 0 };
    this.#paying = true;
    try {
      return await this.#payChange(yen);
    } finally {
      this.#paying = false;
    }
  }

  async #payChange(yen: number): Promise<ChangeResult> {
    await this.#revive();
    let paid = 0;
    let lastFailure: Exclude<DispenseResult, { ok: true }>['code'] = 'HOPPER_EMPTY';
    // Each round either pays everything or takes one hopper out: at most one round per hopper, plus one.
    for (let round = 0; round <= this.#slots.length; round++) {
      const left = yen - paid;
      if (left === 0) break;
      const plan = planChange(left, this.#stocks(false));
      if (!plan) break;
      let short = false;
      for (const [value, count] of plan) {
        const slot = this.#slots.find((x) => x.yen === value && x.up && !x.empty && !x.jammed)!;
        let coins = count;
        while (coins > 0) {
          const batch = Math.min(coins, 255);
          const r = await slot.hopper.dispense(batch);
          paid += r.paid * value;
          if (!r.ok) {
            lastFailure = r.code;
            // Jammed: not used until its test says the path is clear. Dry (or a failure the hopper did not
            // classify): not used until its sensor reads above low.
            if (r.code === 'HOPPER_JAM') slot.jammed = true;
            else slot.empty = true;
            if (r.code === 'DEVICE_DISCONNECTED') slot.up = false;
            this.#log?.warn('coin.hopper-short', { code: r.code, yen: value, paidCoins: r.paid });
            short = true;
            break;
          }
          coins -= batch;
        }
        if (short) break;
      }
    }
    if (paid < yen) {
      this.#log?.error('coin.change-short', { code: lastFailure, dueYen: yen, paidYen: paid });
      return { ok: false, code: lastFailure, paidYen: paid };
    }
    this.#log?.info('coin.change-paid', { paidYen: paid });
    return { ok: true, paidYen: paid };
  }

  /**
   * A credit from another cash device (the note validator's stacked note) toward the open payment. The
   * payment completes as with coins; a cancel pays it back in coins.
   */
  addCredit(yen: number): boolean {
    const p = this.#payment;
    if (!p) {
      this.#strayYen += yen;
      this.#log?.warn('coin.stray-credit', { yen, source: 'note' });
      return false;
    }
    p.total += yen;
    this.#emit({ type: 'inserted', yen, totalYen: p.total, source: 'note' });
    void this.#afterCredit();
    return true;
  }

  /** Tries again to bring up a hopper whose init failed while the line is up (a lost reply under load). */
  async #revive(): Promise<void> {
    if (!this.#hopperUp) return;
    for (const slot of this.#slots) {
      if (slot.up) continue;
      const r = await slot.hopper.init();
      slot.up = r.ok;
      if (r.ok) this.#log?.info('coin.hopper-up', { yen: slot.yen });
    }
  }

  /** Hoppers usable for a payout: `strict` leaves out low ones (planning change before taking money). */
  #stocks(strict: boolean): CoinStock[] {
    return this.#slots
      .filter((x) => x.up && !x.empty && !x.jammed && !(strict && x.level?.low))
      .map((x) => ({ yen: x.yen, max: Infinity }));
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
    if (r.events.length > 0) await this.#afterCredit();
  }

  /** After a credit: complete the payment when covered, else re-inhibit coins whose change is not payable. */
  async #afterCredit(): Promise<void> {
    const p = this.#payment;
    const acceptor = this.#acceptor;
    if (!p || !acceptor || this.#completing) return;
    if (p.total >= p.amount) {
      this.#completing = true;
      try {
        if (this.#acceptorUp) {
          await acceptor.setAccepting(false);
          const late = await acceptor.poll();
          if (late.ok) for (const e of late.events) this.#onCoinEvent(e);
        }
        this.#settle({ ok: true, totalYen: p.total, changeYen: p.total - p.amount });
        this.#log?.info('coin.payment-complete', { totalYen: p.total, changeYen: p.total - p.amount });
      } finally {
        this.#completing = false;
      }
      return;
    }
    const values = this.acceptedValues(p.amount, p.total);
    const key = values.join(',');
    if (key === p.accepting || !this.#acceptorUp) return;
    p.accepting = key;
    this.#log?.info('coin.accepting', { values: key });
    this.#emit({ type: 'accepting', values });
    await acceptor.setAccepting(true, values);
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

  /** The acceptor reported a jam since its last accepted coin (reported in the kiosk's health). */
  acceptorJammed = false;

  #emit(e: PaymentEvent): void {
    if (e.type === 'fault' && e.code === 'COIN_ACCEPTOR_JAM') this.acceptorJammed = true;
    if (e.type === 'inserted') this.acceptorJammed = false;
    for (const l of this.#listeners) l(e);
  }
}
