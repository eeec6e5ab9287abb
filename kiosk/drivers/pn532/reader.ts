import type { Logger } from '../../../common/log.js';
import type { SerialTransport, SerialTransportFactory } from '../transport.js';
import { Pn532Link, type LinkStats } from './link.js';
import type { CardFailureCode, ReaderFailureCode, Result } from './result.js';

/** PN532 command codes (UM0701-02; libnfc `pn53x-internal.h`). */
export const CMD = {
  Diagnose: 0x00,
  GetFirmwareVersion: 0x02,
  SAMConfiguration: 0x14,
  RFConfiguration: 0x32,
  InDataExchange: 0x40,
  InListPassiveTarget: 0x4a,
  InRelease: 0x52,
} as const;

export interface Pn532Timeouts {
  /** Ordinary commands (libnfc: 350). */
  commandMs: number;
  /** SAMConfiguration right after the wake-up (libnfc: 1000). */
  wakeUpMs: number;
  /** InListPassiveTarget (libnfc: 300). */
  listMs: number;
  /** InDataExchange: one APDU, card processing included. */
  exchangeMs: number;
  /** Diagnose 06, card presence (libnfc: 1000). */
  presenceMs: number;
}

export interface Pn532ReaderOptions {
  /** Makes a fresh transport for each (re)connection, e.g. `() => new SerialPortTransport({ path, baudRate: 115200 })`. */
  transport: SerialTransportFactory;
  timeouts?: Partial<Pn532Timeouts>;
  /** Reconnect with exponential backoff when the port goes away; `false` to disable. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number } | false;
  /**
   * When the line has been idle this long, send GetFirmwareVersion to check the reader is still there
   * (a vanished pty or adapter is not always reported until the next write). 0 disables. Default 3000.
   */
  heartbeatMs?: number;
  logger?: Logger;
}

export interface Pn532Firmware {
  ic: number;
  version: number;
  revision: number;
  /** Bit 0x01 ISO14443A, 0x02 ISO14443B, 0x04 ISO18092. */
  support: number;
}

/** An activated ISO/IEC 14443-4 Type B target. */
export interface TypeBTarget {
  /** 12 bytes: `50` PUPI(4) Application data(4) Protocol info(3). */
  atqb: Uint8Array;
  pupi: Uint8Array;
  attribRes: Uint8Array;
}

export type ReaderState = 'idle' | 'connecting' | 'ready' | 'disconnected' | 'closed';

const DEFAULT_TIMEOUTS: Pn532Timeouts = {
  commandMs: 350,
  wakeUpMs: 1000,
  listMs: 300,
  exchangeMs: 1000,
  presenceMs: 1000,
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** InDataExchange status codes meaning the target went away (UM0701-02 §7.1; libnfc's ETGRELEASED and timeout). */
const TARGET_GONE = new Set([0x01, 0x27, 0x29, 0x2b]);
/** A response longer than this is refused (a misbehaving MI chain). */
const MAX_RESPONSE = 4096;

/**
 * The card reader: an NXP PN532 over HSU (115200 8N1) reading ISO/IEC 14443 Type B cards.
 * Receives its transport from a factory (drivers never open ports themselves), wakes the chip, checks the
 * firmware (IC 0x32 and ISO 14443B support), and reconnects with backoff when the port goes away. Every
 * card/reader problem is a result `{ ok: false, code }`; only a bad caller throws.
 */
export class Pn532Reader {
  readonly #factory: SerialTransportFactory;
  readonly #timeouts: Pn532Timeouts;
  readonly #reconnect: { initialDelayMs: number; maxDelayMs: number } | false;
  readonly #log: Logger | undefined;
  #state: ReaderState = 'idle';
  #transport: SerialTransport | undefined;
  #link: Pn532Link | undefined;
  #firmware: Pn532Firmware | undefined;
  #target: TypeBTarget | undefined;
  #needsWake = true;
  #presenceByRelist = false;
  #reconnecting = false;
  #connecting: Promise<Result<{ firmware: Pn532Firmware }>> | undefined;
  readonly #heartbeatMs: number;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastCommandAt = 0;
  readonly #stateListeners = new Set<(s: ReaderState) => void>();
  readonly #totals: LinkStats = { framesOut: 0, framesIn: 0, bytesOut: 0, bytesIn: 0, nacksSent: 0 };

  constructor(options: Pn532ReaderOptions) {
    if (typeof options?.transport !== 'function')
      throw new TypeError('options.transport: a transport factory is required');
    this.#factory = options.transport;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    for (const [k, v] of Object.entries(this.#timeouts))
      if (!Number.isFinite(v) || v <= 0)
        throw new TypeError(`options.timeouts.${k}: a positive number of ms`);
    this.#reconnect =
      options.reconnect === false
        ? false
        : {
            initialDelayMs: options.reconnect?.initialDelayMs ?? 100,
            maxDelayMs: options.reconnect?.maxDelayMs ?? 3000,
          };
    this.#log = options.logger;
    this.#heartbeatMs = options.heartbeatMs ?? 3000;
    if (!Number.isFinite(this.#heartbeatMs) || this.#heartbeatMs < 0)
      throw new TypeError('options.heartbeatMs: a number of ms ≥ 0');
  }

  get state(): ReaderState {
    return this.#state;
  }

  get firmware(): Pn532Firmware | undefined {
    return this.#firmware;
  }

  /** Whether a card is activated (listed and not released). */
  get target(): TypeBTarget | undefined {
    return this.#target;
  }

  /** Frames and bytes exchanged since construction (all connections). */
  get stats(): LinkStats {
    const live = this.#link?.stats;
    const t = this.#totals;
    return {
      framesOut: t.framesOut + (live?.framesOut ?? 0),
      framesIn: t.framesIn + (live?.framesIn ?? 0),
      bytesOut: t.bytesOut + (live?.bytesOut ?? 0),
      bytesIn: t.bytesIn + (live?.bytesIn ?? 0),
      nacksSent: t.nacksSent + (live?.nacksSent ?? 0),
    };
  }

  onStateChange(listener: (state: ReaderState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  #setState(s: ReaderState): void {
    if (this.#state === s) return;
    this.#state = s;
    this.#log?.info('reader.state', { state: s });
    for (const l of this.#stateListeners) l(s);
  }

  /**
   * Connects: opens the transport, wakes the PN532, SAMConfiguration (normal mode), GetFirmwareVersion
   * (must be a PN532 with Type B support), RFConfiguration (finite passive-activation retries). When the
   * port is missing and reconnection is on, keeps trying in the background (see `waitReady`).
   */
  async open(): Promise<Result<{ firmware: Pn532Firmware }>> {
    if (this.#state === 'ready' && this.#firmware) return { ok: true, firmware: this.#firmware };
    if (this.#state === 'closed') this.#state = 'idle';
    const r = await this.#connect();
    if (!r.ok && (r.code === 'READER_DISCONNECTED' || r.code === 'READER_TIMEOUT')) this.#scheduleReconnect();
    return r;
  }

  /** Resolves `true` once the reader is ready, `false` after `timeoutMs`. */
  async waitReady(timeoutMs: number): Promise<boolean> {
    if (this.#state === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.onStateChange((s) => {
        if (s === 'ready' || s === 'closed') {
          clearTimeout(timer);
          off();
          resolve(s === 'ready');
        }
      });
    });
  }

  async close(): Promise<void> {
    if (this.#state === 'ready') {
      await this.release();
      await this.#cmd(CMD.RFConfiguration, [0x01, 0x00], this.#timeouts.commandMs);
    }
    this.#setState('closed');
    await this.#drop();
  }

  async #drop(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    const link = this.#link;
    const t = this.#transport;
    this.#link = undefined;
    this.#transport = undefined;
    this.#target = undefined;
    if (link) {
      for (const k of Object.keys(this.#totals) as (keyof LinkStats)[]) this.#totals[k] += link.stats[k];
      link.dispose();
    }
    await t?.close().catch(() => undefined);
  }

  /** One connection attempt at a time: a caller arriving during an attempt shares its result. */
  #connect(): Promise<Result<{ firmware: Pn532Firmware }>> {
    this.#connecting ??= this.#connectOnce().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #connectOnce(): Promise<Result<{ firmware: Pn532Firmware }>> {
    this.#setState('connecting');
    await this.#drop();
    const transport = this.#factory();
    try {
      await transport.open();
    } catch {
      this.#setState('disconnected');
      return { ok: false, code: 'READER_DISCONNECTED' };
    }
    this.#transport = transport;
    this.#link = new Pn532Link(transport);
    transport.onClose((error) => {
      if (this.#transport === transport) this.#lost(error !== undefined);
    });
    const init = await this.#initialise();
    if (!init.ok) {
      this.#log?.warn('reader.init_failed', { code: init.code });
      await this.#drop();
      this.#setState('disconnected');
      return init;
    }
    this.#firmware = init.firmware;
    this.#setState('ready');
    this.#startHeartbeat();
    return init;
  }

  async #initialise(): Promise<Result<{ firmware: Pn532Firmware }>> {
    this.#needsWake = true;
    const sam = await this.#cmd(CMD.SAMConfiguration, [0x01], this.#timeouts.wakeUpMs);
    if (!sam.ok) return sam;
    const fw = await this.#cmd(CMD.GetFirmwareVersion, [], this.#timeouts.commandMs);
    if (!fw.ok) return fw;
    const [ic, version, revision, support] = fw.data;
    if (ic !== 0x32 || version === undefined || revision === undefined || support === undefined)
      return { ok: false, code: 'READER_NOT_PN532' };
    if ((support & 0x02) === 0) return { ok: false, code: 'READER_NO_TYPE_B' };
    // MxRtyATR = FF, MxRtyPSL = 01, MxRtyPassiveActivation = 02: InListPassiveTarget returns when no card.
    const rf = await this.#cmd(CMD.RFConfiguration, [0x05, 0xff, 0x01, 0x02], this.#timeouts.commandMs);
    if (!rf.ok) return rf;
    return { ok: true, firmware: { ic, version, revision, support } };
  }

  #startHeartbeat(): void {
    if (this.#heartbeatMs === 0) return;
    const every = this.#heartbeatMs;
    this.#heartbeat = setInterval(() => {
      if (this.#state !== 'ready' || Date.now() - this.#lastCommandAt < every) return;
      void this.#cmd(CMD.GetFirmwareVersion, [], this.#timeouts.commandMs).then((r) => {
        if (!r.ok && r.code === 'READER_TIMEOUT') this.#lost(true); // the chip stopped answering: start over
      });
    }, every);
    this.#heartbeat.unref?.();
  }

  /** The port went away (close event, or a write that failed): forget the link and reconnect. */
  #lost(unexpected: boolean): void {
    if (this.#state !== 'ready') return;
    this.#log?.warn('reader.port_lost', { code: 'READER_DISCONNECTED', unexpected });
    this.#setState('disconnected');
    void this.#drop().then(() => this.#scheduleReconnect());
  }

  #scheduleReconnect(): void {
    if (this.#reconnect === false || this.#reconnecting) return;
    const { initialDelayMs, maxDelayMs } = this.#reconnect;
    this.#reconnecting = true;
    void (async () => {
      let delay = initialDelayMs;
      try {
        while (this.#state !== 'closed' && this.#state !== 'ready') {
          await sleep(delay);
          if ((this.#state as ReaderState) === 'closed') return;
          const r = await this.#connect();
          if (r.ok) return;
          if (r.code === 'READER_NOT_PN532' || r.code === 'READER_NO_TYPE_B') {
            this.#setState('disconnected');
            return;
          }
          delay = Math.min(maxDelayMs, delay * 2);
        }
      } finally {
        this.#reconnecting = false;
      }
    })();
  }

  /** One PN532 command on the current link. */
  async #cmd(
    code: number,
    params: number[] | Uint8Array,
    timeoutMs: number,
  ): Promise<Result<{ data: Uint8Array }>> {
    const link = this.#link;
    if (!link) return { ok: false, code: 'READER_DISCONNECTED' };
    const wakeUp = this.#needsWake;
    this.#lastCommandAt = Date.now();
    const r = await link.command(code, Uint8Array.from(params), { timeoutMs, wakeUp });
    if (r.ok) this.#needsWake = false;
    else {
      if (r.code === 'READER_TIMEOUT') this.#needsWake = true;
      if (r.code === 'READER_DISCONNECTED' && this.#link === link) this.#lost(true);
      this.#log?.warn('reader.command_failed', { command: code, code: r.code });
    }
    return r;
  }

  #requireReady(): { ok: false; code: ReaderFailureCode } | undefined {
    return this.#state === 'ready' && this.#link ? undefined : { ok: false, code: 'READER_DISCONNECTED' };
  }

  /** InListPassiveTarget, 106 kbps Type B (`4A 01 03 00`): activates the card (REQB/ATTRIB by the chip). */
  async listTypeB(): Promise<Result<{ target: TypeBTarget }, ReaderFailureCode | 'CARD_NOT_PRESENT'>> {
    const nr = this.#requireReady();
    if (nr) return nr;
    const r = await this.#cmd(CMD.InListPassiveTarget, [0x01, 0x03, 0x00], this.#timeouts.listMs);
    if (!r.ok) return r;
    const d = r.data;
    if (d[0] === 0) {
      this.#target = undefined;
      return { ok: false, code: 'CARD_NOT_PRESENT' };
    }
    // NbTg Tg ATQB(12) ATTRIB_RES-length ATTRIB_RES…
    const attribLen = d[14];
    if (d[0] !== 1 || d.length < 15 || attribLen === undefined || d.length < 15 + attribLen || d[2] !== 0x50)
      return { ok: false, code: 'READER_PROTOCOL_ERROR' };
    const atqb = d.slice(2, 14);
    this.#target = { atqb, pupi: atqb.slice(1, 5), attribRes: d.slice(15, 15 + attribLen) };
    return { ok: true, target: this.#target };
  }

  /** Polls for a card until one answers, `timeoutMs` passes (CARD_NOT_PRESENT) or `signal` aborts. */
  async waitForCard(options: {
    timeoutMs: number;
    pollMs?: number;
    signal?: AbortSignal;
  }): Promise<Result<{ target: TypeBTarget }, ReaderFailureCode | 'CARD_NOT_PRESENT'>> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      if (options.signal?.aborted) return { ok: false, code: 'CARD_NOT_PRESENT' };
      const r =
        this.#state === 'ready'
          ? await this.listTypeB()
          : ({ ok: false, code: 'READER_DISCONNECTED' } as const);
      if (r.ok) return r;
      const transient =
        r.code === 'CARD_NOT_PRESENT' || r.code === 'READER_DISCONNECTED' || r.code === 'READER_TIMEOUT';
      if (!transient) return r;
      if (Date.now() >= deadline) return r;
      await sleep(options.pollMs ?? 100);
    }
  }

  /**
   * Sends one APDU with InDataExchange and returns the response APDU (data + SW1 SW2), following MI
   * chaining. A vanished card is CARD_REMOVED; other RF errors CARD_READ_FAILED.
   */
  async exchange(
    apdu: Uint8Array,
  ): Promise<Result<{ response: Uint8Array }, ReaderFailureCode | CardFailureCode>> {
    if (!(apdu instanceof Uint8Array) || apdu.length < 4 || apdu.length > 261)
      throw new TypeError('apdu: a Uint8Array of 4–261 bytes is required');
    const nr = this.#requireReady();
    if (nr) return nr;
    if (!this.#target) return { ok: false, code: 'CARD_NOT_PRESENT' };
    const parts: Uint8Array[] = [];
    let total = 0;
    let params: Uint8Array = Uint8Array.from([0x01, ...apdu]);
    for (;;) {
      const r = await this.#cmd(CMD.InDataExchange, params, this.#timeouts.exchangeMs);
      params.fill(0); // may hold a PIN
      if (!r.ok) return r;
      const status = r.data[0];
      if (status === undefined) return { ok: false, code: 'READER_PROTOCOL_ERROR' };
      const err = status & 0x3f;
      if (err !== 0) {
        if (TARGET_GONE.has(err)) {
          this.#target = undefined;
          return { ok: false, code: 'CARD_REMOVED' };
        }
        return { ok: false, code: 'CARD_READ_FAILED' };
      }
      if (status & 0x80) return { ok: false, code: 'CARD_READ_FAILED' }; // NAD: not used with this card
      const chunk = r.data.subarray(1);
      total += chunk.length;
      if (total > MAX_RESPONSE) return { ok: false, code: 'CARD_READ_FAILED' };
      parts.push(chunk);
      if ((status & 0x40) === 0) break;
      params = Uint8Array.of(0x01); // MI: ask for the rest
    }
    const response = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      response.set(p, o);
      o += p.length;
    }
    if (response.length < 2) return { ok: false, code: 'CARD_READ_FAILED' };
    return { ok: true, response };
  }

  /**
   * Whether a card is in the field. With an activated target: Diagnose 06 (card presence); otherwise (or when
   * the firmware refuses Diagnose 06) by listing again and releasing what answered.
   */
  async isCardPresent(): Promise<Result<{ present: boolean }>> {
    const nr = this.#requireReady();
    if (nr) return nr;
    if (this.#target && !this.#presenceByRelist) {
      const r = await this.#cmd(CMD.Diagnose, [0x06], this.#timeouts.presenceMs);
      if (r.ok) {
        const present = r.data[0] === 0x00;
        if (!present) this.#target = undefined;
        return { ok: true, present };
      }
      if (r.code !== 'READER_PROTOCOL_ERROR') return r;
      this.#presenceByRelist = true;
    }
    const l = await this.listTypeB();
    if (!l.ok) {
      const code = l.code;
      return code === 'CARD_NOT_PRESENT' ? { ok: true, present: false } : { ok: false, code };
    }
    const rel = await this.release();
    return rel.ok ? { ok: true, present: true } : rel;
  }

  /** Polls until the card leaves the field (`removed: true`) or `timeoutMs` passes (`removed: false`). */
  async waitForRemoval(options: {
    timeoutMs: number;
    pollMs?: number;
    signal?: AbortSignal;
  }): Promise<Result<{ removed: boolean }>> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const r = await this.isCardPresent();
      if (!r.ok) return r;
      if (!r.present) return { ok: true, removed: true };
      if (Date.now() >= deadline || options.signal?.aborted) return { ok: true, removed: false };
      await sleep(options.pollMs ?? 150);
    }
  }

  /** InRelease(all): ends the card session (the chip deselects the card). */
  async release(): Promise<Result<object>> {
    const nr = this.#requireReady();
    if (nr) return nr;
    this.#target = undefined;
    const r = await this.#cmd(CMD.InRelease, [0x00], this.#timeouts.commandMs);
    return r.ok ? { ok: true } : r;
  }
}
