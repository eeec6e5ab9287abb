import WebSocket from 'ws';
import type { Logger } from '../../common/log.js';
import {
  createInitiator,
  decodeMessage,
  encodeMessage,
  MAX_FRAME_BYTES,
  VrsToRelay,
  type ChannelSession,
  type CryptoProvider,
  type Identity,
  type RelayToVrs,
} from '../../protocol/index.js';
import { CircuitBreaker, type BreakerOptions } from './breaker.js';
import { sendCorked } from '../corked-send.js';

export interface VrsEndpointConfig {
  /** ws:// URL of the VRS endpoint on the LGWAN link. */
  url: string;
  /** The endpoint's pinned Ed25519 identity key (base64url). */
  identityPublicKey: Uint8Array;
  /** Municipality codes routed here; when absent, asked from VRS at each connect. */
  municipalities?: readonly string[] | undefined;
  /** A short label for metrics and logs; defaults to `vrs<index>`. */
  name: string;
}

export interface LinkEvents {
  onMessage(link: VrsLink, msg: VrsToRelay): void;
  onUp(link: VrsLink): void;
  onDown(link: VrsLink): void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 10_000;

/**
 * One channel to one VRS endpoint over the LGWAN link, the relay being the initiator: the pinned VRS
 * key is checked in the handshake, the `finished` frame goes first, then sealed messages flow. The link
 * reconnects by itself with exponential backoff; every loss is reported so pending requests can be
 * retried elsewhere.
 */
export class VrsLink {
  readonly config: VrsEndpointConfig;
  readonly breaker: CircuitBreaker;
  readonly #identity: Identity;
  readonly #crypto: CryptoProvider;
  readonly #events: LinkEvents;
  readonly #log: Logger;
  #ws: WebSocket | undefined;
  #session: ChannelSession | undefined;
  #stopped = false;
  #backoff = RECONNECT_MIN_MS;
  #timer: NodeJS.Timeout | undefined;
  /** Municipalities served, from config or from VRS. */
  municipalities = new Set<string>();
  lastError: string | null = null;

  constructor(options: {
    config: VrsEndpointConfig;
    identity: Identity;
    crypto: CryptoProvider;
    events: LinkEvents;
    log: Logger;
    breaker?: Partial<BreakerOptions>;
  }) {
    this.config = options.config;
    this.#identity = options.identity;
    this.#crypto = options.crypto;
    this.#events = options.events;
    this.#log = options.log;
    this.breaker = new CircuitBreaker(options.breaker);
    for (const m of options.config.municipalities ?? []) this.municipalities.add(m);
  }

  get ready(): boolean {
    return this.#session !== undefined && this.#ws?.readyState === WebSocket.OPEN;
  }

  get name(): string {
    return this.config.name;
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#ws?.terminate();
  }

  /** Seals and sends one message; false when the link is down or congested. */
  send(msg: RelayToVrs): boolean {
    const ws = this.#ws;
    const session = this.#session;
    if (ws === undefined || session === undefined || ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > 8 * 1024 * 1024) return false;
    sendCorked(ws, session.seal(encodeMessage(msg)));
    return true;
  }

  #connect(): void {
    if (this.#stopped) return;
    const init = createInitiator({
      identity: this.#identity,
      peerPublicKey: this.config.identityPublicKey,
      crypto: this.#crypto,
    });
    const ws = new WebSocket(this.config.url, {
      headers: { 'x-channel-hello': init.hello },
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    this.#ws = ws;
    let response: string | undefined;
    ws.on('upgrade', (res) => {
      const h = res.headers['x-channel-response'];
      response = typeof h === 'string' ? h : undefined;
    });
    ws.on('open', () => {
      const r = response === undefined ? undefined : init.accept(response);
      if (r === undefined || !r.ok) {
        this.lastError = r?.code ?? 'CHANNEL_HANDSHAKE_FAILED';
        this.#log.warn('vrs.handshake_failed', { endpoint: this.name, code: this.lastError });
        ws.terminate();
        return;
      }
      ws.send(r.finished);
      this.#session = r.session;
      this.#backoff = RECONNECT_MIN_MS;
      this.lastError = null;
      this.#log.info('vrs.link_up', { endpoint: this.name });
      this.#events.onUp(this);
    });
    ws.on('message', (data, isBinary) => {
      const session = this.#session;
      if (session === undefined || !isBinary) return void ws.terminate();
      const opened = session.open(toBytes(data));
      if (!opened.ok) {
        this.lastError = opened.code;
        this.#log.warn('vrs.frame_refused', { endpoint: this.name, code: opened.code });
        return void ws.terminate();
      }
      const msg = decodeMessage(opened.plaintext, VrsToRelay);
      if (!msg.ok) {
        this.lastError = msg.code;
        this.#log.warn('vrs.message_refused', { endpoint: this.name, code: msg.code });
        return void ws.terminate();
      }
      this.#events.onMessage(this, msg.value);
    });
    ws.on('error', (err) => {
      this.lastError = 'RELAY_VRS_UNAVAILABLE';
      this.#log.debug('vrs.link_error', { endpoint: this.name, error: err.message });
    });
    ws.on('close', () => {
      const wasUp = this.#session !== undefined;
      this.#session?.close();
      this.#session = undefined;
      if (this.#ws === ws) this.#ws = undefined;
      if (wasUp) {
        this.#log.warn('vrs.link_down', { endpoint: this.name });
        this.#events.onDown(this);
      }
      if (this.#stopped) return;
      this.#timer = setTimeout(() => this.#connect(), this.#backoff);
      this.#backoff = Math.min(this.#backoff * 2, RECONNECT_MAX_MS);
    });
  }
}

export function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
