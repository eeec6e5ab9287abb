import type { CertType, MunicipalityView, RecordPreview } from '../../../shared/view.js';
import { PinBuffer } from '../../../drivers/pinpad/pin-buffer.js';
import type {
  CardData,
  CardPort,
  CardReadResult,
  CertificatePort,
  Clock,
  CashCheck,
  CoinPort,
  Done,
  Failure,
  FlowPorts,
  IssueRequest,
  IssueResult,
  OtherPin,
  PinKind,
  PinPadEvent,
  PinPadPort,
  PrinterPort,
  RelayPort,
  TimerHandle,
} from '../ports.js';

/**
 * Fakes of the flow's ports for unit tests: each behaves like its device (a card with a PIN counter, a coin
 * unit that pays out, a printer that reports job end) and can be told to fail with a code or to hold an
 * answer until released.
 */

type Listener<T> = (v: T) => void;

class Emitter<T> {
  readonly #ls = new Set<Listener<T>>();
  on(l: Listener<T>): () => void {
    this.#ls.add(l);
    return () => this.#ls.delete(l);
  }
  emit(v: T): void {
    for (const l of [...this.#ls]) l(v);
  }
  get size(): number {
    return this.#ls.size;
  }
}

/** A promise the test releases by hand. */
export class Gate<T> {
  resolve!: (v: T) => void;
  readonly promise = new Promise<T>((r) => (this.resolve = r));
}

/** A manual clock: timers fire only when the test advances time. */
export class FakeClock implements Clock {
  #now = 1_700_000_000_000;
  #next = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  }
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }
  get pending(): number {
    return this.#timers.size;
  }
  /** Moves time forward, firing due timers in order (and letting promises settle between them). */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].at <= end && (!due || e[1].at < due[1].at)) due = e;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets pending promise chains run to their next real wait. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

export const TEST_PIN = '1234';

/** Canary bytes: a test scanning logs, views and files for them finds any leak of card data. */
export const CANARY = 'CANARY';

export function fakeCardData(): CardData {
  const enc = (text: string) => new TextEncoder().encode(text);
  return {
    myNumberEf: enc(`${CANARY}-990000000019`),
    basic4Ef: enc(`${CANARY}-試験 太郎-東京都`),
    signatureEf: new Uint8Array(256).fill(7),
    certificateEf: new Uint8Array(512).fill(9),
  };
}

export class FakeCard implements CardPort {
  readonly presence = new Emitter<boolean>();
  present = false;
  pin = TEST_PIN;
  triesLeft = 3;
  /** Make the next operations fail with this code. */
  failTries: string | null = null;
  failRead: string | null = null;
  readGate: Gate<void> | null = null;
  /** Every PIN buffer the flow handed over, kept to check it was zeroed. */
  readonly pinsSeen: Uint8Array[] = [];
  readonly dataGiven: CardData[] = [];

  place(): void {
    this.present = true;
    this.presence.emit(true);
  }
  remove(): void {
    this.present = false;
    this.presence.emit(false);
  }
  isPresent(): boolean {
    return this.present;
  }
  onPresence(listener: (present: boolean) => void): () => void {
    return this.presence.on(listener);
  }
  async pinTriesLeft(): Promise<{ ok: true; triesLeft: number } | Failure> {
    if (!this.present) return { ok: false, code: 'CARD_NOT_PRESENT' };
    if (this.failTries) return { ok: false, code: this.failTries };
    return { ok: true, triesLeft: this.triesLeft };
  }
  async read(pin: Uint8Array): Promise<CardReadResult> {
    this.pinsSeen.push(pin);
    const typed = new TextDecoder().decode(pin);
    if (this.readGate) await this.readGate.promise;
    if (!this.present) return { ok: false, code: 'CARD_REMOVED' };
    if (this.failRead) return { ok: false, code: this.failRead };
    if (this.triesLeft <= 0) return { ok: false, code: 'CARD_PIN_LOCKED' };
    if (typed !== this.pin) {
      this.triesLeft--;
      return { ok: false, code: 'CARD_PIN_WRONG', triesLeft: this.triesLeft };
    }
    this.triesLeft = 3;
    const data = fakeCardData();
    this.dataGiven.push(data);
    return { ok: true, data };
  }
}

/**
 * A card with both PINs, each with its own counter, like the real adapter: `pinKind()` is the method of the
 * session opened at placement, `useMethod` applies to the next placement, `pinTriesLeft` also tells the other
 * PIN's counter. JPKI reads yield a JPKI proof, カードAP reads the 券面事項入力補助AP files.
 */
export class FakeTwoPinCard extends FakeCard {
  configured: PinKind = 'jpki';
  next: PinKind = 'jpki';
  session: PinKind = 'jpki';
  pins: Record<PinKind, string> = { jpki: TEST_PIN, 'card-ap': '5678' };
  tries: Record<PinKind, number> = { jpki: 3, 'card-ap': 3 };
  readonly methodsUsed: (PinKind | null)[] = [];
  pinKind(): PinKind {
    return this.session;
  }
  useMethod(method: PinKind | null): void {
    this.methodsUsed.push(method);
    this.next = method ?? this.configured;
  }
  override place(): void {
    this.session = this.next;
    super.place();
  }
  override async pinTriesLeft(): Promise<{ ok: true; triesLeft: number; other: OtherPin } | Failure> {
    if (!this.present) return { ok: false, code: 'CARD_NOT_PRESENT' };
    const other: PinKind = this.session === 'jpki' ? 'card-ap' : 'jpki';
    return {
      ok: true,
      triesLeft: this.tries[this.session],
      other: { pinKind: other, triesLeft: this.tries[other] },
    };
  }
  override async read(pin: Uint8Array): Promise<CardReadResult> {
    this.pinsSeen.push(pin);
    const typed = new TextDecoder().decode(pin);
    if (!this.present) return { ok: false, code: 'CARD_REMOVED' };
    const k = this.session;
    if (this.tries[k] <= 0) return { ok: false, code: 'CARD_PIN_LOCKED' };
    if (typed !== this.pins[k]) {
      this.tries[k]--;
      return { ok: false, code: 'CARD_PIN_WRONG', triesLeft: this.tries[k] };
    }
    this.tries[k] = 3;
    const data: CardData =
      k === 'jpki'
        ? {
            method: 'jpki',
            certificate: new Uint8Array(300).fill(3),
            signature: new Uint8Array(256).fill(4),
            kioskId: 'kiosk-test',
            nonce: new Uint8Array(32).fill(5),
            signedAt: 0,
          }
        : fakeCardData();
    this.dataGiven.push(data);
    return { ok: true, data };
  }
}

/** Behaves like the HID PIN pad driver: digits count only during an entry, Backspace clears, Enter confirms. */
export class FakePinPad implements PinPadPort {
  readonly events = new Emitter<PinPadEvent>();
  readonly #pin = new PinBuffer();
  #ready = false;
  entry = false;
  onEvent(listener: (e: PinPadEvent) => void): () => void {
    return this.events.on(listener);
  }
  startEntry(): void {
    this.#pin.clear();
    this.#ready = false;
    this.entry = true;
  }
  endEntry(): void {
    this.#pin.clear();
    this.#ready = false;
    this.entry = false;
  }
  async takePin(): Promise<Uint8Array | undefined> {
    if (!this.#ready) return undefined;
    this.#ready = false;
    // The driver's buffer: the digits are copied out for the caller and zeroed in the pad.
    return this.#pin.use((digits) => digits.slice());
  }
  /** For tests: the pad's own buffer holds nothing (PinBuffer zeroes its bytes whenever it empties). */
  isZeroed(): boolean {
    return this.#pin.length === 0;
  }
  type(pin: string): void {
    for (const ch of pin) {
      if (!this.entry) continue;
      if (this.#pin.push(Number(ch))) this.events.emit({ type: 'digits', count: this.#pin.length });
    }
  }
  press(type: 'enter' | 'backspace' | 'cancel'): void {
    if (!this.entry) return;
    if (type === 'backspace') {
      this.#pin.clear();
      this.events.emit({ type: 'cleared' });
    } else if (type === 'cancel') this.events.emit({ type: 'cancel' });
    else {
      this.#ready = this.#pin.complete;
      this.events.emit({ type: 'enter', complete: this.#pin.complete });
    }
  }
}

export class FakeCoin implements CoinPort {
  readonly credits = new Emitter<number>();
  readonly acceptsNow = new Emitter<number[]>();
  /** What the pre-payment check answers. */
  checkResult: CashCheck | Failure = { ok: true, accepts: [10, 50, 100, 500, 1000], exactOnly: false };
  /** Fees the flow checked before payment, and how many times it opened the entry. */
  readonly checked: number[] = [];
  enabled = 0;
  async check(due: number): Promise<CashCheck | Failure> {
    this.checked.push(due);
    return this.checkResult;
  }
  onAccepts(listener: (accepts: number[]) => void): () => void {
    return this.acceptsNow.on(listener);
  }
  accepting = false;
  enableFails: string | null = null;
  /** Pay out at most this much per call, then fail (hopper empty). */
  payoutLimit = Infinity;
  readonly payouts: number[] = [];
  async enable(_due: number): Promise<Done> {
    this.enabled++;
    if (this.enableFails) return { ok: false, code: this.enableFails };
    this.accepting = true;
    return { ok: true };
  }
  /** Yen inserted since `enable`. */
  held = 0;
  async disable(): Promise<void> {
    this.accepting = false;
    this.held = 0;
  }
  /** A coin already in the chute when the entry closes: reported during `cancel`, and refunded by it. */
  lateCoin = 0;
  async cancel(): Promise<{ ok: true; refunded: number } | { ok: false; code: string; paid: number }> {
    if (this.lateCoin > 0) {
      this.held += this.lateCoin;
      this.credits.emit(this.lateCoin);
      this.lateCoin = 0;
    }
    this.accepting = false;
    const due = this.held;
    this.held = 0;
    const r = await this.payout(due);
    return r.ok ? { ok: true, refunded: due } : { ok: false, code: r.code, paid: r.paid };
  }
  onCredit(listener: (yen: number) => void): () => void {
    return this.credits.on(listener);
  }
  async payout(yen: number): Promise<{ ok: true } | { ok: false; code: string; paid: number }> {
    if (yen === 0) return { ok: true };
    const paid = Math.min(yen, this.payoutLimit);
    if (paid > 0) this.payouts.push(paid);
    if (paid < yen) return { ok: false, code: 'HOPPER_EMPTY', paid };
    return { ok: true };
  }
  insert(yen: number): void {
    if (this.accepting) this.held += yen;
    this.credits.emit(yen);
  }
  get paidOut(): number {
    return this.payouts.reduce((a, b) => a + b, 0);
  }
}

export class FakePrinter implements PrinterPort {
  readonly taken = new Emitter<void>();
  readonly faults = new Emitter<string | null>();
  /** The printer's fault now (paper out, …), or null when ready. */
  fault: string | null = null;
  /** Results of the next jobs, in order; `ok` when the queue is empty. */
  readonly results: Done[] = [];
  readonly jobs: { document: Uint8Array; jobName: string }[] = [];
  gate: Gate<void> | null = null;
  /** Jobs after this many wait (a job held by a fault) until `release` or `cancel`. */
  holdAfter: number | null = null;
  #held: Gate<Done> | null = null;
  #started = 0;
  cancels = 0;
  /** Sets or clears the printer's fault and reports it, as the driver's state events do. */
  setFault(code: string | null): void {
    this.fault = code;
    this.faults.emit(code);
  }
  /** Ends the held job with `result`. */
  release(result: Done = { ok: true }): void {
    this.#held?.resolve(result);
  }
  get holding(): boolean {
    return this.#held !== null;
  }
  async check(_copies: number): Promise<Done> {
    return this.fault ? { ok: false, code: this.fault } : { ok: true };
  }
  onFault(listener: (code: string | null) => void): () => void {
    return this.faults.on(listener);
  }
  async cancel(): Promise<void> {
    this.cancels++;
    this.release({ ok: false, code: 'PRINTER_JOB_CANCELLED' });
  }
  async print(document: Uint8Array, jobName: string): Promise<Done> {
    if (this.gate) await this.gate.promise;
    this.#started++;
    if (this.holdAfter !== null && this.#started > this.holdAfter) {
      this.#held = new Gate<Done>();
      const held = await this.#held.promise;
      this.#held = null;
      if (!held.ok) return held;
    }
    const r = this.results.shift() ?? { ok: true };
    if (r.ok) this.jobs.push({ document: document.slice(), jobName });
    return r;
  }
  onPaperTaken(listener: () => void): () => void {
    return this.taken.on(() => listener());
  }
}

export interface FakeCert {
  certificateId: string;
}

export class FakeCertificates implements CertificatePort<FakeCert> {
  fail: string | null = null;
  async render(
    certificate: FakeCert,
    certType: CertType,
  ): Promise<{ ok: true; document: Uint8Array } | Failure> {
    if (this.fail) return { ok: false, code: this.fail };
    return { ok: true, document: new TextEncoder().encode(`%PDF ${certificate.certificateId} ${certType}`) };
  }
}

export const MUNICIPALITIES: MunicipalityView[] = ['131016', '271004'];

export const PREVIEW: RecordPreview = {
  name: 'CANARY 太郎',
  nameEn: 'CANARY TARO',
  birthDate: '1980-04-01',
  doses: [
    { dose: 1, date: '2021-06-01', vaccine: 'COMIRNATY', lot: 'AB1234' },
    { dose: 2, date: '2021-06-22', vaccine: 'COMIRNATY', lot: 'AB1299' },
  ],
};

export class FakeRelay implements RelayPort<FakeCert> {
  readonly availability = new Emitter<void>();
  up = true;
  listFails: string | null = null;
  issueAnswer: IssueResult<FakeCert> = {
    ok: true,
    outcome: 'issued',
    preview: PREVIEW,
    certificate: { certificateId: 'cert-1' },
  };
  issueGate: Gate<void> | null = null;
  readonly requests: IssueRequest[] = [];
  readonly outcomes: string[] = [];
  outcome(outcome: string, code?: string): void {
    this.outcomes.push(code ? `${outcome}:${code}` : outcome);
  }
  available(): boolean {
    return this.up;
  }
  onAvailability(listener: () => void): () => void {
    return this.availability.on(() => listener());
  }
  setUp(up: boolean): void {
    this.up = up;
    this.availability.emit();
  }
  async municipalities(): Promise<{ ok: true; list: MunicipalityView[] } | Failure> {
    if (this.listFails) return { ok: false, code: this.listFails };
    return { ok: true, list: MUNICIPALITIES };
  }
  async issue(request: IssueRequest): Promise<IssueResult<FakeCert>> {
    this.requests.push(request);
    if (this.issueGate) await this.issueGate.promise;
    return this.issueAnswer;
  }
}

export interface FakePorts extends FlowPorts<FakeCert> {
  card: FakeCard;
  pinpad: FakePinPad;
  coin: FakeCoin;
  printer: FakePrinter;
  certificate: FakeCertificates;
  relay: FakeRelay;
  clock: FakeClock;
}

export function fakePorts(): FakePorts {
  return {
    card: new FakeCard(),
    pinpad: new FakePinPad(),
    coin: new FakeCoin(),
    printer: new FakePrinter(),
    certificate: new FakeCertificates(),
    relay: new FakeRelay(),
    clock: new FakeClock(),
  };
}
