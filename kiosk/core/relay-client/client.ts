import type WebSocket from 'ws';
import type { Logger } from '../../../common/log.js';
import {
  RelayToKiosk,
  decodeMessage,
  encodeMessage,
  fromBase64Url,
  keyId,
  newRequestId,
  openAnswer,
  sealRequest,
  toBase64Url,
  type CertAnswerBody,
  type CertRequestFields,
  type ChannelSession,
  type CryptoProvider,
  type DeviceHealth,
  type Identity,
  type KioskToRelay,
} from '../../../protocol/index.js';
import { nextDelay, type BackoffOptions } from './backoff.js';
import { connectChannel } from './connect.js';

export interface RelayClientOptions {
  /** The relay's kiosk WebSocket URL on the dedicated line (`ws://…/kiosk`). */
  readonly url: string;
  readonly identity: Identity;
  /** The relay's identity key, pinned from configuration: any other responder is refused. */
  readonly relayPublicKey: Uint8Array;
  /** VRS's X25519 box key: requests are sealed to it end to end. */
  readonly vrsBoxPublicKey: Uint8Array;
  readonly crypto: CryptoProvider;
  /** Device health sent with every heartbeat. */
  readonly health: () => DeviceHealth | Promise<DeviceHealth>;
  /** Heartbeat period (default 30 s). Two periods without an ack close the connection. */
  readonly heartbeatMs?: number;
  /** How long a request waits for its answer (default 20 s): then KIOSK_RELAY_TIMEOUT. */
  readonly requestTimeoutMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  readonly logger?: Logger;
}

export type RelayResult<T> = ({ ok: true } & T) | { ok: false; code: string };

/** What became of an answered request (sent to the relay for its audit trail, no personal data). */
/** How long, and how many, outcome reports the kiosk keeps for resending until the relay acknowledges them. */
export const OUTCOME_KEEP_MS = 30 * 60_000;
export const OUTCOME_KEEP_MAX = 64;

export type IssueOutcome = Extract<KioskToRelay, { type: 'issue.outcome' }>['outcome'];

export type RelayClientState = 'stopped' | 'connecting' | 'connected' | 'waiting';

type Reply = Extract<RelayToKiosk, { requestId: string }>;
type Waiter = (reply: Reply | { failed: string }) => void;

/**
 * The kiosk main process's client for the relay: one authenticated channel (handshake in the WebSocket
 * upgrade, sealed frames after), reconnected with jittered backoff while the kiosk runs, with a heartbeat
 * carrying device health. Requests for a certificate are sealed end to end to VRS; the answer is opened
 * with a one-time reply key and must be bound to this request and this kiosk.
 *
 * Any frame that fails to open (altered, replayed, oversize) or message that does not parse closes the
 * connection; requests waiting on it end with that code. Log lines carry request ids and codes only.
 *
 * @example
 *   const relay = new RelayClient({ url, identity, relayPublicKey, vrsBoxPublicKey, crypto, health });
 *   relay.start();
 *   const r = await relay.issue({ request: { requestId, kioskId: relay.kioskId, municipality, certType, copies, card } });
 *   if (r.ok && r.answer.outcome === 'issued') print(r.answer);
 */
export class RelayClient {
  readonly #o: RelayClientOptions;
  readonly kioskId: string;
  readonly #waiters = new Map<string, Waiter>();
  readonly #listeners = new Set<() => void>();
  readonly #noticeListeners = new Set<(notice: Extract<RelayToKiosk, { type: 'notice' }>) => void>();
  #state: RelayClientState = 'stopped';
  #ws: WebSocket | null = null;
  #session: ChannelSession | null = null;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  readonly #outbox = new Map<string, { msg: KioskToRelay; at: number }>();
  #heartbeatSeq = 0;
  #lastAckSeq = -1;
  #lastError: string | null = null;
  #stopCode: string | null = null;

  constructor(options: RelayClientOptions) {
    if (typeof options.url !== 'string') throw new TypeError('url: string expected');
    if (typeof options.health !== 'function') throw new TypeError('health: function expected');
    if (!(options.vrsBoxPublicKey instanceof Uint8Array) || options.vrsBoxPublicKey.length !== 32) {
      throw new TypeError('vrsBoxPublicKey: 32-byte key expected');
    }
    this.#o = options;
    this.kioskId = keyId(options.identity.publicKey);
  }

  get state(): RelayClientState {
    return this.#state;
  }

  /** The code of the last connection failure (null while connected). */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Connected, and issuance not stopped fleet-wide nor this kiosk revoked. */
  available(): boolean {
    return this.#session !== null && this.#stopCode === null;
  }

  onAvailability(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onNotice(listener: (notice: Extract<RelayToKiosk, { type: 'notice' }>) => void): () => void {
    this.#noticeListeners.add(listener);
    return () => this.#noticeListeners.delete(listener);
  }

  /** Starts connecting (and keeps reconnecting until `stop`). */
  start(): void {
    if (this.#state !== 'stopped') return;
    void this.#connect();
  }

  /** Closes the connection, ends waiting requests with RELAY_UNREACHABLE, stops reconnecting. */
  async stop(): Promise<void> {
    this.#setState('stopped');
    clearTimeout(this.#retry);
    const ws = this.#ws;
    this.#drop('RELAY_UNREACHABLE');
    if (ws !== null) {
      await new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
  }

  /** The municipalities VRS serves, for the resident's choice. */
  async requestMunicipalities(): Promise<RelayResult<{ list: string[] }>> {
    const requestId = newRequestId(this.#o.crypto);
    const reply = await this.#ask(requestId, { v: 1, type: 'municipalities.request', requestId });
    if (!reply.ok) return reply;
    if (reply.value.type !== 'municipalities.response') return { ok: false, code: 'PROTOCOL_MALFORMED' };
    return { ok: true, list: reply.value.list };
  }

  /**
   * Seals `request` to VRS, sends it through the relay and opens the answer. The one-time reply key is
   * wiped whatever happens. An answer that opens but is bound to another request or kiosk is refused
   * (ENVELOPE_BINDING_MISMATCH) and reported to the relay, which stops issuance until investigated.
   * @throws TypeError when `request.kioskId` is not this kiosk's id (a caller's mistake).
   */
  async issue(options: { request: CertRequestFields }): Promise<RelayResult<{ answer: CertAnswerBody }>> {
    const { request } = options;
    if (request.kioskId !== this.kioskId) throw new TypeError('request.kioskId: must be this kiosk id');
    const crypto = this.#o.crypto;
    const { sealed, replyKey } = sealRequest({ vrsBoxPublicKey: this.#o.vrsBoxPublicKey, request, crypto });
    try {
      const reply = await this.#ask(request.requestId, {
        v: 1,
        type: 'issue.request',
        requestId: request.requestId,
        municipality: request.municipality,
        certType: request.certType,
        sealed: toBase64Url(sealed),
      });
      if (!reply.ok) return reply;
      const m = reply.value;
      if (m.type === 'issue.error') return { ok: false, code: m.code };
      if (m.type !== 'issue.response') return { ok: false, code: 'PROTOCOL_MALFORMED' };
      const answerBytes = fromBase64Url(m.sealed);
      if (answerBytes === undefined) return { ok: false, code: 'PROTOCOL_MALFORMED' };
      const opened = openAnswer({
        sealed: answerBytes,
        replyKey,
        requestId: request.requestId,
        kioskId: this.kioskId,
        sealedRequest: sealed,
        crypto,
      });
      if (!opened.ok) {
        this.#o.logger?.error('relay.answer-refused', { requestId: request.requestId, code: opened.code });
        this.reportOutcome(request.requestId, 'binding-mismatch', opened.code);
        return { ok: false, code: opened.code };
      }
      return { ok: true, answer: opened.answer };
    } finally {
      replyKey.secretKey.fill(0);
    }
  }

  /**
   * Tells the relay what became of an answered request (printed, refunded, …). Kept (in memory, ids and
   * codes only) until the relay acknowledges that the outcome is in its audit log, and sent again on every new
   * session: a line cut between printing and the report must not lose the record. Given up after
   * `OUTCOME_KEEP_MS` (the relay forgets answered requests after 30 minutes) or beyond `OUTCOME_KEEP_MAX`.
   */
  reportOutcome(requestId: string, outcome: IssueOutcome, code?: string): void {
    const msg: KioskToRelay = {
      v: 1,
      type: 'issue.outcome',
      requestId,
      outcome,
      ...(code === undefined ? {} : { code }),
    };
    this.#outbox.delete(requestId);
    this.#outbox.set(requestId, { msg, at: Date.now() });
    if (this.#outbox.size > OUTCOME_KEEP_MAX) {
      const [oldest] = this.#outbox.keys();
      this.#outbox.delete(oldest!);
      this.#o.logger?.error('relay.outcome-undelivered', {
        requestId: oldest!,
        reason: 'too many unacknowledged',
      });
    }
    this.#send(msg);
  }

  /** Outcomes the relay has not acknowledged yet (request ids; for the kiosk's status and tests). */
  get unacknowledgedOutcomes(): string[] {
    return [...this.#outbox.keys()];
  }

  /** Sends every unacknowledged outcome again (a new session); forgets those too old for the relay. */
  #resendOutcomes(): void {
    const now = Date.now();
    for (const [id, o] of this.#outbox) {
      if (now - o.at > OUTCOME_KEEP_MS) {
        this.#outbox.delete(id);
        this.#o.logger?.error('relay.outcome-undelivered', { requestId: id, reason: 'expired' });
      } else this.#send(o.msg);
    }
  }

  #setState(state: RelayClientState): void {
    this.#state = state;
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  #ask(
    requestId: string,
    msg: KioskToRelay,
  ): Promise<{ ok: true; value: Reply } | { ok: false; code: string }> {
    if (this.#session === null)
      return Promise.resolve({ ok: false, code: this.#stopCode ?? 'RELAY_UNREACHABLE' });
    if (this.#stopCode !== null) return Promise.resolve({ ok: false, code: this.#stopCode });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(requestId);
        this.#o.logger?.warn('relay.timeout', { requestId });
        resolve({ ok: false, code: 'KIOSK_RELAY_TIMEOUT' });
      }, this.#o.requestTimeoutMs ?? 20_000);
      this.#waiters.set(requestId, (reply) => {
        clearTimeout(timer);
        resolve('failed' in reply ? { ok: false, code: reply.failed } : { ok: true, value: reply });
      });
      this.#send(msg);
    });
  }

  #send(msg: KioskToRelay): void {
    const ws = this.#ws;
    if (this.#session === null || ws === null || ws.readyState !== ws.OPEN) return;
    ws.send(this.#session.seal(encodeMessage(msg)));
  }

  /** Ends the current connection: waiting requests fail with `code`. */
  #drop(code: string): void {
    const had = this.#session !== null;
    this.#session?.close();
    this.#session = null;
    this.#ws = null;
    clearInterval(this.#heartbeat);
    const waiting = [...this.#waiters.values()];
    this.#waiters.clear();
    for (const w of waiting) w({ failed: code });
    if (had) this.#changed();
  }

  #fail(ws: WebSocket, code: string): void {
    if (this.#ws !== ws) return;
    this.#o.logger?.warn('relay.channel-closed', { code });
    this.#lastError = code;
    this.#drop(code);
    ws.terminate();
    this.#later();
  }

  #later(): void {
    if (this.#state === 'stopped') return;
    this.#setState('waiting');
    clearTimeout(this.#retry);
    const delay = nextDelay(this.#attempt++, this.#o.backoff);
    this.#retry = setTimeout(() => void this.#connect(), delay);
  }

  async #connect(): Promise<void> {
    this.#setState('connecting');
    const r = await connectChannel({
      url: this.#o.url,
      identity: this.#o.identity,
      relayPublicKey: this.#o.relayPublicKey,
      crypto: this.#o.crypto,
      ...(this.#o.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: this.#o.handshakeTimeoutMs }),
    });
    if (this.#state === 'stopped') {
      if (r.ok) r.ws.terminate();
      return;
    }
    if (!r.ok) {
      this.#lastError = r.code;
      this.#o.logger?.warn('relay.connect-failed', { code: r.code, attempt: this.#attempt });
      this.#later();
      return;
    }
    const { ws, session } = r;
    this.#ws = ws;
    this.#session = session;
    this.#attempt = 0;
    this.#lastError = null;
    this.#setState('connected');
    this.#o.logger?.info('relay.connected', { kioskId: this.kioskId });
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer, isBinary: boolean) => this.#onFrame(ws, data, isBinary));
    ws.on('close', () => {
      if (this.#ws !== ws) return;
      this.#lastError = 'RELAY_UNREACHABLE';
      this.#drop('RELAY_UNREACHABLE');
      this.#later();
    });
    this.#startHeartbeat(ws);
    this.#changed();
  }

  /**
   * Sends a heartbeat now, out of turn: the kiosk calls it when device health changes, so the center sees a
   * paper-out or an unplugged PIN pad at once instead of up to 30 s later. A no-op while not connected.
   */
  reportHealth(): void {
    const ws = this.#ws;
    if (ws === null || ws === undefined || this.#session === null) return;
    void (async () => {
      let health: DeviceHealth;
      try {
        health = await this.#o.health();
      } catch {
        return;
      }
      if (this.#ws === ws) this.#send({ v: 1, type: 'heartbeat', seq: this.#heartbeatSeq++, health });
    })();
  }

  #startHeartbeat(ws: WebSocket): void {
    const period = this.#o.heartbeatMs ?? 30_000;
    this.#lastAckSeq = this.#heartbeatSeq - 1;
    const beat = async () => {
      if (this.#ws !== ws) return;
      if (this.#heartbeatSeq - 1 - this.#lastAckSeq >= 2) return this.#fail(ws, 'RELAY_UNREACHABLE');
      let health: DeviceHealth;
      try {
        health = await this.#o.health();
      } catch {
        return;
      }
      this.#send({ v: 1, type: 'heartbeat', seq: this.#heartbeatSeq++, health });
    };
    void beat();
    this.#heartbeat = setInterval(() => void beat(), period);
    this.#resendOutcomes();
  }

  #onFrame(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    const session = this.#session;
    if (session === null || this.#ws !== ws) return;
    if (!isBinary) return this.#fail(ws, 'PROTOCOL_MALFORMED');
    const opened = session.open(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (!opened.ok) return this.#fail(ws, opened.code);
    const m = decodeMessage(opened.plaintext, RelayToKiosk);
    opened.plaintext.fill(0);
    if (!m.ok) return this.#fail(ws, m.code);
    this.#onMessage(m.value);
  }

  #onMessage(m: RelayToKiosk): void {
    switch (m.type) {
      case 'heartbeat.ack':
        this.#lastAckSeq = Math.max(this.#lastAckSeq, m.seq);
        return;
      case 'issue.outcome.ack':
        this.#outbox.delete(m.requestId);
        return;
      case 'notice': {
        this.#o.logger?.warn('relay.notice', { code: m.code, municipality: m.municipality ?? null });
        if (m.municipality === undefined) {
          if (m.code === 'RELAY_ISSUANCE_STOPPED' || m.code === 'RELAY_KIOSK_REVOKED')
            this.#stopCode = m.code;
          else if (m.code === 'RELAY_ISSUANCE_RESUMED') this.#stopCode = null;
        }
        for (const l of this.#noticeListeners) l(m);
        this.#changed();
        return;
      }
      case 'issue.response':
      case 'issue.error':
      case 'municipalities.response': {
        const w = this.#waiters.get(m.requestId);
        this.#waiters.delete(m.requestId);
        w?.(m);
        return;
      }
      default: {
        const never: never = m;
        return never;
      }
    }
  }
}
