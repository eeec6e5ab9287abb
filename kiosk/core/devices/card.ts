import type { Logger } from '../../../common/log.js';
import { randomBytes } from 'node:crypto';
import { jpkiChallenge } from '../../../protocol/card-data/jpki.js';
import { CardSession, JpkiSession, type CardReaderPort } from '../../drivers/mynumber/index.js';
import type { Pn532Reader } from '../../drivers/pn532/index.js';
import type { CardPort, CardReadResult, Failure } from '../flow/ports.js';

export type PresenceReader = CardReaderPort & Pick<Pn532Reader, 'isCardPresent'>;

/** How the kiosk authenticates the resident with the card (PROTOCOL.md, "JPKI authentication"). */
export type CardAuthMethod = 'jpki' | 'card-ap';

/**
 * The flow's card port over the PN532 reader and, by `method`, the 公的個人認証AP session (JPKI, the
 * default: the 利用者証明用 PIN, the card signs a fresh challenge for this kiosk; the My Number is never read)
 * or the 券面事項入力補助AP session (カードAP). One loop owns the reader:
 * it waits for a card (selecting the AP), then watches for its removal; the flow's reads run between polls
 * under the same lock, so only one command is ever on the line.
 */
export class CardReaderAdapter implements CardPort {
  readonly #reader: PresenceReader;
  readonly #log: Logger | undefined;
  readonly #pollMs: number;
  readonly #listeners = new Set<(present: boolean) => void>();
  #present = false;
  #session: CardSession | JpkiSession | null = null;
  readonly #configured: CardAuthMethod;
  #method: CardAuthMethod;
  readonly #kioskId: string | undefined;
  readonly #now: () => number;
  /** Set when the card on the reader is not usable (no 券面事項入力補助AP). */
  #unusable: string | null = null;
  #lock: Promise<unknown> = Promise.resolve();
  #stopped = true;
  #loop: Promise<void> | null = null;
  #abort = new AbortController();

  constructor(options: {
    reader: PresenceReader;
    pollMs?: number;
    logger?: Logger;
    /** Default `jpki`. */
    method?: CardAuthMethod;
    /** The kiosk's id (its identity key, base64url): the card signs it into the challenge. Needed for JPKI. */
    kioskId?: string;
    /** The clock of the signing time (default Date.now). */
    now?: () => number;
  }) {
    this.#reader = options.reader;
    this.#configured = options.method ?? 'jpki';
    this.#method = this.#configured;
    this.#kioskId = options.kioskId;
    this.#now = options.now ?? Date.now;
    if (this.#configured === 'jpki' && !this.#canJpki())
      throw new TypeError('options.kioskId: required for JPKI authentication');
    this.#pollMs = options.pollMs ?? 250;
    this.#log = options.logger;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#abort = new AbortController();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await this.#loop;
    await this.#session?.end().catch(() => undefined);
    this.#session = null;
  }

  /** The PIN of the card on the reader (its session's method), else of the next placement. */
  pinKind(): CardAuthMethod {
    const s = this.#session;
    if (s) return s instanceof JpkiSession ? 'jpki' : 'card-ap';
    return this.#method;
  }

  /** The method of the next placements (the card on the reader keeps its session); `null`: the configured one. */
  useMethod(method: CardAuthMethod | null): void {
    const m = method ?? this.#configured;
    // Without a kiosk id the card cannot sign the challenge: such a kiosk stays with カードAP.
    if (m === 'jpki' && !this.#canJpki()) return;
    this.#method = m;
  }

  #canJpki(): boolean {
    return typeof this.#kioskId === 'string' && this.#kioskId !== '';
  }

  isPresent(): boolean {
    return this.#present;
  }

  onPresence(listener: (present: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async pinTriesLeft(): Promise<
    { ok: true; triesLeft: number; other?: { pinKind: CardAuthMethod; triesLeft: number } } | Failure
  > {
    if (this.#unusable) return { ok: false, code: this.#unusable };
    const s = this.#session;
    if (!s) return { ok: false, code: 'CARD_NOT_PRESENT' };
    // The other PIN's counter first (it selects the other AP and comes back), then this one's.
    const o = await this.#exclusive(() => s.otherPinCounter());
    const r = await this.#exclusive(() => s.readRetryCounter());
    if (!r.ok) return { ok: false, code: r.code };
    const otherKind: CardAuthMethod = s instanceof JpkiSession ? 'card-ap' : 'jpki';
    return {
      ok: true,
      triesLeft: r.remaining,
      ...(o.ok ? { other: { pinKind: otherKind, triesLeft: o.remaining } } : {}),
    };
  }

  async read(pin: Uint8Array): Promise<CardReadResult> {
    const s = this.#session;
    if (!s) {
      pin.fill(0);
      return { ok: false, code: this.#unusable ?? 'CARD_NOT_PRESENT' };
    }
    if (s instanceof JpkiSession) return this.#authenticate(s, pin);
    // The session zeroes the buffer it is given; the flow zeroes its own.
    const r = await this.#exclusive(() => s.verifyAndRead(pin.slice()));
    if (r.ok) {
      const f = r.data.files;
      return {
        ok: true,
        data: {
          myNumberEf: f.myNumberEf,
          basic4Ef: f.basic4Ef,
          signatureEf: f.signatureEf,
          certificateEf: f.certificateEf,
        },
      };
    }
    if (r.code === 'CARD_PIN_WRONG' && 'remaining' in r)
      return { ok: false, code: r.code, triesLeft: r.remaining };
    return { ok: false, code: r.code };
  }

  /** JPKI: a fresh nonce and signing time, the card signs the challenge for this kiosk. */
  async #authenticate(s: JpkiSession, pin: Uint8Array): Promise<CardReadResult> {
    const kioskId = this.#kioskId!;
    const nonce = new Uint8Array(randomBytes(32));
    const signedAt = this.#now();
    const challenge = jpkiChallenge({ kioskId, nonce, signedAt });
    const r = await this.#exclusive(() => s.authenticate(pin.slice(), challenge));
    if (r.ok)
      return {
        ok: true,
        data: {
          method: 'jpki',
          certificate: r.proof.certificate,
          signature: r.proof.signature,
          kioskId,
          nonce,
          signedAt,
        },
      };
    if (r.code === 'CARD_PIN_WRONG' && 'remaining' in r)
      return { ok: false, code: r.code, triesLeft: r.remaining };
    return { ok: false, code: r.code };
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  #set(present: boolean): void {
    if (this.#present === present) return;
    this.#present = present;
    this.#log?.info(present ? 'card.placed' : 'card.removed');
    for (const l of this.#listeners) l(present);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!this.#stopped) {
      if (!this.#present) {
        const opts = { reader: this.#reader, ...(this.#log ? { logger: this.#log } : {}) };
        const session = this.#method === 'jpki' ? new JpkiSession(opts) : new CardSession(opts);
        const r = await this.#exclusive(() =>
          session.waitForCard({ timeoutMs: 1000, pollMs: this.#pollMs, signal }),
        );
        if (this.#stopped) break;
        if (r.ok && (session instanceof JpkiSession ? 'jpki' : 'card-ap') !== this.#method) {
          // The method changed while this wait ran (useMethod): open the card again with the other AP.
          await this.#exclusive(() => session.end()).catch(() => undefined);
          continue;
        }
        if (r.ok) {
          this.#session = session;
          this.#unusable = null;
          this.#set(true);
        } else if (r.code === 'CARD_AP_MISSING' || r.code === 'CARD_JPKI_MISSING') {
          this.#session = null;
          this.#unusable = r.code;
          this.#set(true);
        } else if (r.code !== 'CARD_NOT_PRESENT') await sleep(this.#pollMs * 4, signal);
        continue;
      }
      const r = await this.#exclusive(() => this.#reader.isCardPresent());
      if (r.ok && !r.present) {
        const s = this.#session;
        this.#session = null;
        this.#unusable = null;
        await s?.end().catch(() => undefined);
        this.#set(false);
        continue;
      }
      await sleep(this.#pollMs, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
