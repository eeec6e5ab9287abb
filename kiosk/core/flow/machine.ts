import type { Logger } from '../../../common/log.js';
import { createLogger } from '../../../common/log.js';
import type { Intent, IntentResult } from '../../shared/intents.js';
import { IntentSchema } from '../../shared/intents.js';
import type { ScreenName, ScreenView, ViewState } from '../../shared/view.js';
import type { FlowConfig } from './config.js';
import { flowConfig, PIN_LENGTH } from './config.js';
import type { FlowPorts, PinPadEvent } from './ports.js';
import { ScreenTimers } from './screen-timers.js';
import { checkBeforePayment } from './payment-checks.js';
import { Transaction, wipeCardData } from './transaction.js';

/** Why a transaction ended; the host reloads the renderer on every end. No resident data. */
export interface TransactionEnd {
  txId: number;
  reason: 'completed' | 'cancelled' | 'timeout' | 'refunded' | 'error';
  code?: string;
}

/** VRS's answer when the municipality uses the other authentication method. */
const METHOD_REFUSED = 'VRS_AUTH_METHOD_NOT_ALLOWED';

/** Screens where the resident is expected to act: the idle timer runs there. */
const IDLE_SCREENS: ReadonlySet<ScreenName> = new Set<ScreenName>([
  'place-card',
  'menu',
  'pin',
  'remove-card',
  'municipality',
  'cert-type',
  'copies',
  'preview',
  'payment',
  'payment-blocked',
  'print-failed',
]);

/** Screens a cancel is honoured on (busy screens only while waiting on the relay). */
const CANCEL_SCREENS: ReadonlySet<ScreenName> = new Set<ScreenName>([...IDLE_SCREENS]);

/** Printer faults that staff can fix on the spot: the job waits for them (a job failing so is tried again). */
const PRINTER_STOPS: ReadonlySet<string> = new Set([
  'PRINTER_PAPER_OUT',
  'PRINTER_COVER_OPEN',
  'PRINTER_JAM',
  'PRINTER_OFFLINE',
  'PRINTER_GONE',
]);

/**
 * The resident's transaction as a state machine in the main process. Driven by device events (card, PIN pad,
 * coins, printer) and renderer intents; talks to the world only through `FlowPorts`, so it runs the same over
 * real drivers and over fakes with a fake clock.
 *
 * Invariants: a PIN never leaves the PIN buffer except into `card.read`, and is zeroed after; once the fee is
 * paid the transaction ends only with every copy printed or the unprinted copies refunded; on every end all
 * resident data is wiped and `onTransactionEnd` fires (the host reloads the renderer).
 */
export class KioskFlow<C> {
  readonly #ports: FlowPorts<C>;
  readonly #config: FlowConfig;
  readonly #log: Logger;
  readonly #timers: ScreenTimers;
  readonly #viewListeners = new Set<(v: ViewState) => void>();
  readonly #endListeners = new Set<(e: TransactionEnd) => void>();
  #unsubscribe: (() => void)[] = [];
  #screen: ScreenView = { screen: 'attract', available: false };
  #seq = 0;
  #idleDeadline: number | null = null;
  #tx: Transaction<C> | null = null;
  #busyTask: 'querying' | 'loading-municipalities' | null = null;
  #coinCancelling = false;
  /** Set while the print loop waits for a printer fault to be fixed: called when it is (or the resident stops). */
  #printerBack: (() => void) | null = null;

  constructor(
    ports: FlowPorts<C>,
    config: FlowConfig = flowConfig(),
    log: Logger = createLogger('kiosk.flow'),
  ) {
    this.#ports = ports;
    this.#config = config;
    this.#log = log;
    this.#timers = new ScreenTimers(ports.clock);
  }

  /** Subscribes to the devices and shows the attract screen. */
  start(): void {
    const p = this.#ports;
    this.#unsubscribe = [
      p.card.onPresence((present) => this.#onCard(present)),
      p.pinpad.onEvent((e) => this.#onPinPad(e)),
      p.coin.onCredit((yen) => this.#onCredit(yen)),
      ...(p.printer.onPaperTaken ? [p.printer.onPaperTaken(() => this.#onPaperTaken())] : []),
      ...(p.printer.onFault ? [p.printer.onFault((code) => this.#onPrinterFault(code))] : []),
      ...(p.coin.onAccepts ? [p.coin.onAccepts((accepts) => this.#onAccepts(accepts))] : []),
      ...(p.relay.onAvailability ? [p.relay.onAvailability(() => this.#refreshAttract())] : []),
    ];
    p.pinpad.endEntry();
    this.#show({ screen: 'attract', available: p.relay.available() });
  }

  /** Unsubscribes, clears timers and wipes whatever is held. */
  stop(): void {
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
    this.#timers.clearAll();
    this.#tx?.wipe();
    this.#tx = null;
  }

  get view(): ViewState {
    return { ...this.#screen, seq: this.#seq, idleDeadline: this.#idleDeadline };
  }

  /** For tests and diagnostics: the live transaction, if any. */
  get transaction(): Transaction<C> | null {
    return this.#tx;
  }

  onView(listener: (v: ViewState) => void): () => void {
    this.#viewListeners.add(listener);
    return () => this.#viewListeners.delete(listener);
  }

  onTransactionEnd(listener: (e: TransactionEnd) => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  /** An intent from the renderer, parsed from `unknown` (IPC is a trust boundary). */
  intent(raw: unknown): IntentResult {
    const parsed = IntentSchema.safeParse(raw);
    if (!parsed.success) {
      this.#log.warn('flow.bad-intent', { code: 'KIOSK_BAD_INTENT' });
      return { ok: false, code: 'KIOSK_BAD_INTENT' };
    }
    const ok = this.#handle(parsed.data);
    if (!ok) return { ok: false, code: 'KIOSK_INTENT_NOT_NOW' };
    return { ok: true };
  }

  // ---------------------------------------------------------------- views and timers

  #emit(): void {
    this.#seq++;
    const v = this.view;
    for (const l of this.#viewListeners) l(v);
  }

  #show(screen: ScreenView): void {
    this.#timers.clearAll();
    this.#idleDeadline = null;
    this.#busyTask = null;
    this.#screen = screen;
    this.#log.debug('flow.screen', { tx: this.#tx?.id ?? null, screen: screen.screen });
    this.#armScreenTimers();
    this.#emit();
  }

  /** Changes fields of the current screen without restarting its timers. */
  #patch(patch: Partial<ScreenView>): void {
    this.#screen = { ...this.#screen, ...patch } as ScreenView;
    this.#emit();
  }

  #armScreenTimers(): void {
    const s = this.#screen;
    const c = this.#config;
    if (IDLE_SCREENS.has(s.screen)) this.#armIdle();
    switch (s.screen) {
      case 'remove-card':
        this.#timers.set('reminder', c.cardReminderMs, () => this.#patch({ reminder: true }));
        break;
      case 'take-certificate':
        this.#timers.set('reminder', c.certReminderMs, () => this.#patch({ reminder: true }));
        this.#timers.set('auto', c.takeCertificateMs, () => this.#toAttract());
        break;
      case 'ended':
      case 'error':
        if (s.cardOnReader)
          this.#timers.set('reminder', c.cardReminderMs, () => this.#patch({ reminder: true }));
        else this.#timers.set('auto', c.endedMs, () => this.#toAttract());
        break;
      default:
        break;
    }
  }

  #armIdle(): void {
    this.#timers.clear('idle-end');
    this.#timers.set('idle', this.#config.idleMs, () => {
      this.#idleDeadline = this.#ports.clock.now() + this.#config.idleWarningMs;
      this.#emit();
      this.#timers.set('idle-end', this.#config.idleWarningMs, () => void this.#abort('timeout'));
    });
  }

  /** A touch or key: restarts the idle timer and lifts the warning. */
  #activity(): void {
    if (!IDLE_SCREENS.has(this.#screen.screen)) return;
    this.#armIdle();
    if (this.#idleDeadline !== null) {
      this.#idleDeadline = null;
      this.#emit();
    }
  }

  #refreshAttract(): void {
    if (this.#screen.screen === 'attract') this.#patch({ available: this.#ports.relay.available() });
  }

  #toAttract(): void {
    this.#show({ screen: 'attract', available: this.#ports.relay.available() });
  }

  // ---------------------------------------------------------------- ending a transaction

  /** Wipes the resident's data, shows `screen`, then tells the host (which reloads the renderer). */
  #end(tx: Transaction<C>, end: Omit<TransactionEnd, 'txId'>, screen: ScreenView): void {
    tx.wipe();
    this.#ports.card.useMethod?.(null);
    if (this.#tx === tx) this.#tx = null;
    this.#ports.pinpad.endEntry();
    this.#show(screen);
    this.#log.info('flow.end', { tx: tx.id, reason: end.reason, code: end.code });
    if (tx.answered) this.#reportOutcome(tx, end);
    const e: TransactionEnd = { txId: tx.id, ...end };
    for (const l of this.#endListeners) l(e);
  }

  /** Tells the relay what became of an answered request (its audit trail; no personal data). */
  #reportOutcome(tx: Transaction<C>, end: Omit<TransactionEnd, 'txId'>): void {
    const report = this.#ports.relay.outcome?.bind(this.#ports.relay);
    if (!report) return;
    switch (end.reason) {
      case 'completed':
        return report('printed');
      case 'refunded':
        return report('refunded', end.code);
      case 'cancelled':
      case 'timeout':
        return report(tx.paid ? 'refunded' : 'cancelled', end.code);
      case 'error':
        if (end.code === 'VRS_NO_RECORD') return report('no-record');
        return report(tx.paid ? 'print-failed' : 'cancelled', end.code);
      default: {
        const never: never = end.reason;
        return never;
      }
    }
  }

  #fail(tx: Transaction<C>, code: string, refunded = 0): void {
    const cardOnReader = this.#ports.card.isPresent();
    this.#end(
      tx,
      { reason: 'error', code },
      { screen: 'error', code, refunded, cardOnReader, reminder: false },
    );
  }

  /** Cancel or idle timeout, from any screen that allows it. Returns the money when some was taken. */
  async #abort(reason: 'cancelled' | 'timeout'): Promise<void> {
    const tx = this.#tx;
    const screen = this.#screen.screen;
    if (screen === 'print-failed' && tx) return this.#refundUnprinted(tx, reason);
    if (screen === 'printing' && tx) return this.#stopPrinting(tx);
    if (!tx) {
      this.#toAttract();
      return;
    }
    if (screen === 'payment') {
      this.#show({ screen: 'busy', task: 'refunding' });
      const r = await this.#cancelPayment();
      if (!r.ok) return this.#fail(tx, 'KIOSK_REFUND_FAILED', r.paid);
      tx.inserted = 0;
      return this.#endedScreen(tx, reason, r.refunded);
    }
    this.#endedScreen(tx, reason, 0);
  }

  #endedScreen(tx: Transaction<C>, reason: 'cancelled' | 'timeout' | 'refunded', refunded: number): void {
    const cardOnReader = this.#ports.card.isPresent();
    this.#end(tx, { reason }, { screen: 'ended', reason, refunded, cardOnReader, reminder: false });
  }

  async #cancelPayment(): Promise<
    { ok: true; refunded: number } | { ok: false; code: string; paid: number }
  > {
    // A coin reported while the entry closes belongs to this payment: the cancel pays it back, not us.
    this.#coinCancelling = true;
    try {
      return await this.#ports.coin.cancel();
    } catch {
      return { ok: false, code: 'KIOSK_INTERNAL', paid: 0 };
    } finally {
      this.#coinCancelling = false;
    }
  }

  async #payout(yen: number): Promise<{ ok: true } | { ok: false; code: string; paid: number }> {
    try {
      return await this.#ports.coin.payout(yen);
    } catch {
      return { ok: false, code: 'KIOSK_INTERNAL', paid: 0 };
    }
  }

  // ---------------------------------------------------------------- device events

  #onCard(present: boolean): void {
    const s = this.#screen;
    if (present) {
      if (s.screen !== 'attract' && s.screen !== 'place-card') return;
      if (s.screen === 'place-card' && s.again && this.#tx) {
        void this.#checkCard(this.#tx);
        return;
      }
      const tx = new Transaction<C>();
      this.#tx = tx;
      this.#log.info('flow.begin', { tx: tx.id });
      if (!this.#ports.relay.available()) return this.#fail(tx, 'KIOSK_SERVICE_UNAVAILABLE');
      this.#show({ screen: 'menu' });
      return;
    }
    const tx = this.#tx;
    switch (s.screen) {
      case 'menu':
        if (tx)
          this.#end(
            tx,
            { reason: 'cancelled' },
            { screen: 'attract', available: this.#ports.relay.available() },
          );
        return;
      case 'pin':
        if (tx) this.#fail(tx, 'CARD_REMOVED');
        return;
      case 'remove-card':
        if (tx) void this.#afterCard(tx);
        return;
      case 'ended':
      case 'error':
        if (s.cardOnReader) {
          this.#patch({ cardOnReader: false, reminder: false });
          this.#timers.clear('reminder');
          this.#timers.set('auto', this.#config.endedMs, () => this.#toAttract());
        }
        return;
      default:
        return; // busy screens see the removal through the card port's failure
    }
  }

  #onPinPad(e: PinPadEvent): void {
    const tx = this.#tx;
    if (this.#screen.screen !== 'pin' || !tx) return;
    this.#activity();
    switch (e.type) {
      case 'digits':
        this.#patch({ digits: e.count });
        return;
      case 'cleared':
        this.#patch({ digits: 0 });
        return;
      case 'enter':
        if (e.complete) void this.#readCard(tx);
        return;
      case 'cancel':
        void this.#abort('cancelled');
        return;
      default: {
        const never: never = e;
        throw new TypeError(`unknown PIN pad event ${JSON.stringify(never)}`);
      }
    }
  }

  #onCredit(yen: number): void {
    const tx = this.#tx;
    if (this.#coinCancelling) {
      this.#log.info('flow.credit-during-cancel', { yen });
      return;
    }
    if (this.#screen.screen !== 'payment' || !tx || tx.paid) {
      // The acceptor should have been inhibited: give the coin straight back.
      this.#log.warn('flow.unexpected-credit', { yen });
      void this.#payout(yen).then((r) => {
        if (!r.ok) this.#log.error('flow.unexpected-credit-not-returned', { yen, code: r.code });
      });
      return;
    }
    tx.inserted += yen;
    this.#activity();
    if (tx.inserted >= tx.fee) void this.#paymentComplete(tx);
    else this.#patch({ inserted: tx.inserted });
  }

  #onPaperTaken(): void {
    if (this.#screen.screen === 'take-certificate') this.#toAttract();
  }

  /**
   * The printer stopped or runs again during a paid job. Said at once on the printing screen (what
   * happened, call staff); after `faultRefundOfferMs` the resident may stop and get the unprinted copies'
   * fee back; if staff fix it first, the job goes on by itself and the offer goes away.
   */
  #onPrinterFault(code: string | null): void {
    const s = this.#screen;
    const tx = this.#tx;
    if (s.screen !== 'printing' || !tx) return;
    if (code === null) {
      tx.faultSince = null;
      this.#printerBack?.();
      if (!s.fault) return;
      this.#timers.clear('fault-refund');
      this.#log.info('flow.printer-resumed', { tx: tx.id });
      this.#patch({ fault: null, refundAt: null, refundOffered: false });
      return;
    }
    if (s.fault === code) return;
    tx.faultSince ??= this.#ports.clock.now();
    this.#log.warn('flow.printer-fault', { tx: tx.id, code, printed: tx.printed, copies: tx.copies });
    const refund = (tx.copies - tx.printed) * this.#config.feePerCopy;
    const refundAt =
      s.fault && s.refundAt ? s.refundAt : this.#ports.clock.now() + this.#config.faultRefundOfferMs;
    this.#patch({ fault: code, refundAt, refundOffered: s.refundOffered ?? false, refund });
    if (!this.#timers.has('fault-refund') && !s.refundOffered)
      this.#timers.set('fault-refund', Math.max(0, refundAt - this.#ports.clock.now()), () => {
        const now = this.#screen;
        if (now.screen === 'printing' && now.fault) this.#patch({ refundOffered: true });
      });
  }

  /** The coin values taken now changed during a payment (change that cannot be paid). */
  #onAccepts(accepts: number[]): void {
    if (this.#screen.screen === 'payment') this.#patch({ accepts });
  }

  /** The resident stops a job held by a printer fault: cancel the job; the print loop then refunds. */
  async #stopPrinting(tx: Transaction<C>): Promise<void> {
    const s = this.#screen;
    if (s.screen !== 'printing' || !s.refundOffered || tx.stopPrinting) return;
    tx.stopPrinting = true;
    this.#log.info('flow.stop-printing', { tx: tx.id, printed: tx.printed, copies: tx.copies });
    this.#show({ screen: 'busy', task: 'refunding' });
    this.#printerBack?.(); // a loop waiting for the printer goes on to the refund
    await this.#ports.printer.cancel?.().catch(() => undefined);
  }

  // ---------------------------------------------------------------- intents

  #handle(intent: Intent): boolean {
    const s = this.#screen;
    const tx = this.#tx;
    switch (intent.type) {
      case 'activity':
        this.#activity();
        return true;
      case 'start':
        if (s.screen !== 'attract') return false;
        if (!s.available) return false;
        this.#show({ screen: 'place-card' });
        return true;
      case 'cancel':
        if (s.screen === 'printing' && s.refundOffered) {
          void this.#abort('cancelled');
          return true;
        }
        if (!(CANCEL_SCREENS.has(s.screen) || this.#busyTask !== null)) return false;
        void this.#abort('cancelled');
        return true;
      case 'done':
        if (
          s.screen === 'take-certificate' ||
          ((s.screen === 'ended' || s.screen === 'error') && !s.cardOnReader)
        ) {
          this.#toAttract();
          return true;
        }
        return false;
      default:
        break;
    }
    if (!tx) return false;
    this.#activity();
    switch (intent.type) {
      case 'choose-service':
        if (s.screen !== 'menu') return false;
        void this.#checkCard(tx);
        return true;
      case 'choose-municipality':
        if (s.screen !== 'municipality' || !s.list.includes(intent.code)) return false;
        tx.municipality = intent.code;
        this.#show({ screen: 'cert-type' });
        return true;
      case 'choose-cert-type':
        if (s.screen !== 'cert-type') return false;
        tx.certType = intent.certType;
        this.#show({ screen: 'copies', max: this.#config.maxCopies, feePerCopy: this.#config.feePerCopy });
        return true;
      case 'choose-copies':
        if (s.screen !== 'copies' || intent.copies > this.#config.maxCopies) return false;
        tx.copies = intent.copies;
        tx.fee = intent.copies * this.#config.feePerCopy;
        void this.#query(tx);
        return true;
      case 'confirm':
        if (s.screen !== 'preview' && s.screen !== 'payment-blocked') return false;
        void this.#startPayment(tx);
        return true;
      case 'retry-print':
        if (s.screen !== 'print-failed') return false;
        void this.#print(tx);
        return true;
      case 'refund':
        if (s.screen === 'printing' && s.refundOffered) {
          void this.#stopPrinting(tx);
          return true;
        }
        if (s.screen !== 'print-failed') return false;
        void this.#refundUnprinted(tx, 'refunded');
        return true;
      default: {
        const never: never = intent;
        throw new TypeError(`unhandled intent ${JSON.stringify(never)}`);
      }
    }
  }

  // ---------------------------------------------------------------- steps

  /** Whether one of `names` is shown now (a method, so the compiler does not narrow across awaits). */
  #onScreen(...names: ScreenName[]): boolean {
    return names.includes(this.#screen.screen);
  }

  /** Whether `tx` is still the live transaction (a cancel or timeout may have ended it meanwhile). */
  #live(tx: Transaction<C>): boolean {
    return this.#tx === tx && !tx.wiped;
  }

  async #checkCard(tx: Transaction<C>): Promise<void> {
    this.#show({ screen: 'busy', task: 'checking-card' });
    const r = await this.#ports.card
      .pinTriesLeft()
      .catch(() => ({ ok: false as const, code: 'KIOSK_INTERNAL' }));
    if (!this.#live(tx)) return;
    if (!r.ok) return this.#fail(tx, this.#ports.card.isPresent() ? r.code : 'CARD_REMOVED');
    if (r.triesLeft <= 0) return this.#fail(tx, this.#config.lockedCode);
    tx.otherPin = r.other ?? null;
    this.#ports.pinpad.startEntry();
    this.#show({
      screen: 'pin',
      digits: 0,
      length: PIN_LENGTH,
      triesLeft: r.triesLeft,
      wrong: false,
      ...this.#pinKind(tx),
    });
  }

  /** Which PIN the card port asks for, the other PIN's counter, and whether this is the second round. */
  #pinKind(
    tx: Transaction<C>,
  ): Pick<Extract<ScreenView, { screen: 'pin' }>, 'pinKind' | 'otherPin' | 'again'> {
    const k = this.#ports.card.pinKind?.();
    return {
      ...(k === undefined ? {} : { pinKind: k }),
      ...(tx.otherPin ? { otherPin: { ...tx.otherPin } } : {}),
      ...(tx.methodSwitched ? { again: true } : {}),
    };
  }

  /**
   * After the card: choose the municipality; or, when this was the second authentication (the chosen
   * municipality needed the other method), send the request again at once with the same choices.
   */
  async #afterCard(tx: Transaction<C>): Promise<void> {
    if (tx.methodSwitched && tx.municipality && tx.certType && tx.copies > 0) return this.#query(tx);
    return this.#loadMunicipalities(tx);
  }

  async #readCard(tx: Transaction<C>): Promise<void> {
    this.#show({ screen: 'busy', task: 'reading-card' });
    const pin = await this.#ports.pinpad.takePin().catch(() => undefined);
    this.#ports.pinpad.endEntry();
    if (!pin) return this.#fail(tx, 'PINPAD_PIN_INCOMPLETE');
    let r;
    try {
      r = await this.#ports.card.read(pin);
    } catch {
      r = { ok: false as const, code: 'KIOSK_INTERNAL' };
    } finally {
      pin.fill(0);
    }
    if (!this.#live(tx)) {
      if (r.ok) wipeCardData(r.data);
      return;
    }
    if (r.ok) {
      tx.card = r.data;
      if (this.#ports.card.isPresent()) this.#show({ screen: 'remove-card', reminder: false });
      else void this.#afterCard(tx);
      return;
    }
    if (r.code === this.#config.wrongPinCode && r.triesLeft !== undefined && r.triesLeft > 0) {
      this.#ports.pinpad.startEntry();
      this.#show({
        screen: 'pin',
        digits: 0,
        length: PIN_LENGTH,
        triesLeft: r.triesLeft,
        wrong: true,
        ...this.#pinKind(tx),
      });
      return;
    }
    if (r.code === this.#config.wrongPinCode) return this.#fail(tx, this.#config.lockedCode);
    this.#fail(tx, this.#ports.card.isPresent() ? r.code : 'CARD_REMOVED');
  }

  async #loadMunicipalities(tx: Transaction<C>): Promise<void> {
    this.#show({ screen: 'busy', task: 'loading-municipalities' });
    this.#busyTask = 'loading-municipalities';
    const r = await this.#ports.relay
      .municipalities()
      .catch(() => ({ ok: false as const, code: 'KIOSK_INTERNAL' }));
    if (!this.#live(tx)) return;
    if (!r.ok) return this.#fail(tx, r.code);
    if (r.list.length === 0) return this.#fail(tx, 'KIOSK_SERVICE_UNAVAILABLE');
    this.#show({ screen: 'municipality', list: r.list });
  }

  async #query(tx: Transaction<C>): Promise<void> {
    const { card, municipality, certType } = tx;
    if (!card || !municipality || !certType) return this.#fail(tx, 'KIOSK_INTERNAL');
    this.#show({ screen: 'busy', task: 'querying' });
    this.#busyTask = 'querying';
    const r = await this.#ports.relay
      .issue({ card, municipality, certType, copies: tx.copies })
      .catch(() => ({ ok: false as const, code: 'KIOSK_INTERNAL' }));
    if (!this.#live(tx)) return;
    // The card's data has done its job: drop it before money changes hands.
    const sentMethod = card.method === 'jpki' ? 'jpki' : 'card-ap';
    tx.dropCard();
    if (!r.ok && r.code === METHOD_REFUSED && !tx.methodSwitched && this.#ports.card.useMethod)
      return this.#switchMethod(tx, sentMethod === 'jpki' ? 'card-ap' : 'jpki');
    if (!r.ok) return this.#fail(tx, r.code);
    tx.answered = true;
    if (r.outcome === 'no-record') return this.#fail(tx, 'VRS_NO_RECORD');
    tx.preview = r.preview;
    tx.certificate = r.certificate;
    this.#show({ screen: 'preview', preview: r.preview, certType, copies: tx.copies, fee: tx.fee });
  }

  /**
   * VRS answered that the chosen municipality authenticates with the other method (PROTOCOL.md "Which method
   * a municipality uses"): once per transaction, ask for the card again and the PIN that method needs.
   */
  #switchMethod(tx: Transaction<C>, method: 'jpki' | 'card-ap'): void {
    tx.methodSwitched = true;
    this.#ports.card.useMethod?.(method);
    this.#log.info('flow.auth-method-switched', { tx: tx.id, method });
    this.#show({ screen: 'place-card', again: method });
  }

  async #startPayment(tx: Transaction<C>): Promise<void> {
    // Every device the job needs, before a single coin: a resident is never charged for a job that
    // cannot run, and learns before paying which coins the kiosk can give change for.
    const check = await checkBeforePayment(this.#ports, tx.copies, tx.fee);
    if (!this.#live(tx)) return;
    if (!this.#onScreen('preview', 'payment-blocked')) return;
    if (!check.ok) {
      this.#log.warn('flow.payment-blocked', { tx: tx.id, code: check.code });
      this.#show({ screen: 'payment-blocked', code: check.code, fee: tx.fee });
      return;
    }
    this.#show({
      screen: 'payment',
      due: tx.fee,
      inserted: 0,
      ...(check.accepts.length > 0 ? { accepts: check.accepts } : {}),
      exactOnly: check.exactOnly,
    });
    const r = await this.#ports.coin
      .enable(tx.fee)
      .catch(() => ({ ok: false as const, code: 'KIOSK_INTERNAL' }));
    if (r.ok || !this.#live(tx) || !this.#onScreen('payment')) return;
    const back = await this.#cancelPayment();
    if (!this.#live(tx) || !this.#onScreen('payment')) return;
    if (!back.ok) return this.#fail(tx, 'KIOSK_REFUND_FAILED', back.paid);
    this.#fail(tx, r.code, back.refunded);
  }

  async #paymentComplete(tx: Transaction<C>): Promise<void> {
    tx.paid = true;
    const change = tx.inserted - tx.fee;
    this.#show(
      change > 0
        ? { screen: 'busy', task: 'paying-change' }
        : { screen: 'printing', copy: 1, copies: tx.copies },
    );
    await this.#ports.coin.disable().catch(() => undefined);
    this.#log.info('flow.paid', { tx: tx.id, fee: tx.fee, change });
    let notice: string | null = null;
    if (change > 0) {
      const r = await this.#payout(change);
      tx.changePaid = r.ok ? change : r.paid;
      if (!r.ok) {
        notice = 'KIOSK_CHANGE_NOT_PAID';
        this.#log.error('flow.change-not-paid', { tx: tx.id, owed: change - r.paid, code: r.code });
      }
    }
    tx.inserted = tx.fee;
    await this.#print(tx, notice);
  }

  async #print(tx: Transaction<C>, notice: string | null = null): Promise<void> {
    const { certificate, certType } = tx;
    if (!certificate || !certType) return this.#printFailed(tx, 'KIOSK_INTERNAL');
    this.#show({ screen: 'printing', copy: tx.printed + 1, copies: tx.copies });
    if (!tx.document) {
      const r = await this.#ports.certificate
        .render(certificate, certType)
        .catch(() => ({ ok: false as const, code: 'KIOSK_INTERNAL' }));
      if (!r.ok) return this.#printFailed(tx, r.code);
      tx.document = r.document;
    }
    while (tx.printed < tx.copies) {
      if (tx.stopPrinting) return this.#refundUnprinted(tx, 'refunded');
      this.#patch({ copy: tx.printed + 1, refund: (tx.copies - tx.printed) * this.#config.feePerCopy });
      const r = await this.#ports.printer
        .print(tx.document, `certificate-${tx.id}-${tx.printed + 1}`)
        .catch(() => ({ ok: false as const, code: 'KIOSK_INTERNAL' }));
      // A copy counts only on the printer's job-end report for it: a cancelled job is refunded.
      if (!r.ok && tx.stopPrinting) return this.#refundUnprinted(tx, 'refunded');
      if (!r.ok && PRINTER_STOPS.has(r.code) && this.#ports.printer.onFault) {
        // The printer stopped as the copy was handed over (or the driver gave the job up): say so on
        // this screen, wait for staff, and print the copy again once it runs.
        const back = await this.#waitForPrinter(tx, r.code);
        if (back === 'stop') return this.#refundUnprinted(tx, 'refunded');
        if (back === 'retry') continue;
      }
      if (!r.ok) return this.#printFailed(tx, r.code);
      tx.printed++;
      this.#log.info('flow.printed', { tx: tx.id, copy: tx.printed, copies: tx.copies });
    }
    const copies = tx.copies;
    const change = tx.changePaid;
    this.#end(
      tx,
      { reason: 'completed' },
      { screen: 'take-certificate', copies, reminder: false, notice, ...(change > 0 ? { change } : {}) },
    );
  }

  /**
   * Waits for a stopped printer: `retry` once it runs, `stop` if the resident stops, `give-up` at the limit
   * or when the printer says it is ready after all (the failure is then not one staff fix: print-failed,
   * where the resident chooses; never an endless retry).
   */
  async #waitForPrinter(tx: Transaction<C>, code: string): Promise<'retry' | 'stop' | 'give-up'> {
    if (tx.stopPrinting) return 'stop';
    const ready = await (this.#ports.printer.check?.(tx.copies - tx.printed) ??
      Promise.resolve({ ok: false }));
    if (tx.stopPrinting) return 'stop';
    if (ready.ok || !this.#onScreen('printing')) return 'give-up';
    this.#onPrinterFault(
      this.#screen.screen === 'printing' && this.#screen.fault ? this.#screen.fault : code,
    );
    const since = tx.faultSince ?? this.#ports.clock.now();
    const left = since + this.#config.faultGiveUpMs - this.#ports.clock.now();
    if (left <= 0) return 'give-up';
    const outcome = await new Promise<'retry' | 'give-up'>((resolve) => {
      const done = (r: 'retry' | 'give-up') => {
        this.#printerBack = null;
        this.#timers.clear('fault-give-up');
        resolve(r);
      };
      this.#printerBack = () => done('retry');
      this.#timers.set('fault-give-up', left, () => done('give-up'));
    });
    if (tx.stopPrinting) return 'stop';
    return outcome;
  }

  #printFailed(tx: Transaction<C>, code: string): void {
    this.#log.warn('flow.print-failed', { tx: tx.id, code, printed: tx.printed, copies: tx.copies });
    const refund = (tx.copies - tx.printed) * this.#config.feePerCopy;
    this.#show({ screen: 'print-failed', code, printed: tx.printed, copies: tx.copies, refund });
  }

  /** Pays back the fee of every copy not printed; then the printed ones are handed over, if any. */
  async #refundUnprinted(tx: Transaction<C>, reason: 'cancelled' | 'timeout' | 'refunded'): Promise<void> {
    const refund = (tx.copies - tx.printed) * this.#config.feePerCopy;
    this.#show({ screen: 'busy', task: 'refunding' });
    const r = refund > 0 ? await this.#payout(refund) : ({ ok: true } as const);
    if (!r.ok) return this.#fail(tx, 'KIOSK_REFUND_FAILED', r.paid);
    if (tx.printed > 0) {
      const copies = tx.printed;
      const change = tx.changePaid;
      this.#end(
        tx,
        { reason: 'refunded', code: 'KIOSK_PARTLY_REFUNDED' },
        {
          screen: 'take-certificate',
          copies,
          reminder: false,
          notice: 'KIOSK_PARTLY_REFUNDED',
          ...(change + refund > 0 ? { change: change + refund } : {}),
        },
      );
      return;
    }
    this.#endedScreen(tx, reason === 'refunded' ? 'refunded' : reason, refund);
  }
}
