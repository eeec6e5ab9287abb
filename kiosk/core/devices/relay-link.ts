import WebSocket from 'ws';
import type { Logger } from '../../../common/log.js';
import {
  createInitiator,
  decodeMessage,
  encodeMessage,
  fromBase64Url,
  keyId,
  newRequestId,
  openAnswer,
  RelayToKiosk,
  sealRequest,
  toBase64Url,
  type ChannelSession,
  type CryptoProvider,
  type Identity,
  type IssuedBody,
  type KioskToRelay,
} from '../../../protocol/index.js';
import type { MunicipalityView } from '../../shared/view.js';
import type { Failure, IssueRequest, IssueResult, RelayPort } from '../flow/ports.js';
import { previewOf } from './preview.js';

export interface RelayLinkOptions {
  /** The relay's kiosk WebSocket URL (dedicated line). */
  url: string;
  /** The relay's pinned Ed25519 identity key. */
  relayPublicKey: Uint8Array;
  /** VRS's X25519 box key: requests are sealed to it end to end. */
  vrsBoxPublicKey: Uint8Array;
  identity: Identity;
  crypto: CryptoProvider;
  /** Per request. Default 20 s. */
  timeoutMs?: number;
  /** Reconnect delay. Default 1 s. */
  retryMs?: number;
  logger?: Logger;
}

type Waiter = (m: RelayToKiosk | null) => void;

/**
 * The flow's relay port: one authenticated channel to the relay (handshake in the upgrade, sealed frames),
 * reconnecting while the kiosk runs; certificate requests sealed to VRS and answers opened and checked
 * against this request and this kiosk. Interim, kept small: the kiosk's full relay client (heartbeats,
 * outcomes) is `kiosk/core/relay-client`; this satisfies the same port.
 */
export class RelayLink implements RelayPort<IssuedBody> {
  readonly #o: RelayLinkOptions;
  readonly #kioskId: string;
  readonly #waiters = new Map<string, Waiter>();
  readonly #availability = new Set<() => void>();
  #ws: WebSocket | null = null;
  #session: ChannelSession | null = null;
  #stopped = true;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #stopCode: string | null = null;

  constructor(options: RelayLinkOptions) {
    this.#o = options;
    this.#kioskId = keyId(options.identity.publicKey);
  }

  get kioskId(): string {
    return this.#kioskId;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#ws?.terminate();
    this.#drop();
  }

  available(): boolean {
    return this.#session !== null && this.#stopCode === null;
  }

  onAvailability(listener: () => void): () => void {
    this.#availability.add(listener);
    return () => this.#availability.delete(listener);
  }

  async municipalities(): Promise<{ ok: true; list: MunicipalityView[] } | Failure> {
    const requestId = newRequestId(this.#o.crypto);
    const m = await this.#ask(requestId, { v: 1, type: 'municipalities.request', requestId });
    if (!m.ok) return m;
    if (m.value.type !== 'municipalities.response') return { ok: false, code: 'PROTOCOL_MALFORMED' };
    return {
      ok: true,
      list: m.value.list.map((x) => ({
        code: x.code,
        name: x.name,
        nameEn: x.nameEn,
        prefecture: x.prefecture,
      })),
    };
  }

  async issue(req: IssueRequest): Promise<IssueResult<IssuedBody>> {
    const crypto = this.#o.crypto;
    const requestId = newRequestId(crypto);
    const c = req.card;
    const { sealed, replyKey } = sealRequest({
      vrsBoxPublicKey: this.#o.vrsBoxPublicKey,
      request: {
        requestId,
        kioskId: this.#kioskId,
        municipality: req.municipality,
        certType: req.certType,
        copies: req.copies,
        card: {
          myNumberEf: toBase64Url(c.myNumberEf),
          basic4Ef: toBase64Url(c.basic4Ef),
          signatureEf: toBase64Url(c.signatureEf),
          certificateEf: toBase64Url(c.certificateEf),
        },
      },
      crypto,
    });
    const m = await this.#ask(requestId, {
      v: 1,
      type: 'issue.request',
      requestId,
      municipality: req.municipality,
      certType: req.certType,
      sealed: toBase64Url(sealed),
    });
    if (!m.ok) {
      replyKey.secretKey.fill(0);
      return m;
    }
    if (m.value.type === 'issue.error') return { ok: false, code: m.value.code };
    if (m.value.type !== 'issue.response') return { ok: false, code: 'PROTOCOL_MALFORMED' };
    const answerBytes = fromBase64Url(m.value.sealed);
    if (!answerBytes) return { ok: false, code: 'PROTOCOL_MALFORMED' };
    const opened = openAnswer({
      sealed: answerBytes,
      replyKey,
      requestId,
      kioskId: this.#kioskId,
      sealedRequest: sealed,
      crypto,
    });
    if (!opened.ok) {
      this.#o.logger?.error('relay-link.answer-refused', { requestId, code: opened.code });
      this.#send({ v: 1, type: 'issue.outcome', requestId, outcome: 'binding-mismatch', code: opened.code });
      return { ok: false, code: opened.code };
    }
    const a = opened.answer;
    if (a.outcome === 'no-record') return { ok: true, outcome: 'no-record' };
    if (a.outcome === 'refused') return { ok: false, code: a.code };
    if (a.certType !== req.certType || a.municipality.code !== req.municipality)
      return { ok: false, code: 'ENVELOPE_BINDING_MISMATCH' };
    return { ok: true, outcome: 'issued', preview: previewOf(a), certificate: a };
  }

  #ask(requestId: string, msg: KioskToRelay): Promise<{ ok: true; value: RelayToKiosk } | Failure> {
    if (!this.#session) return Promise.resolve({ ok: false, code: this.#stopCode ?? 'RELAY_UNREACHABLE' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(requestId);
        resolve({ ok: false, code: 'RELAY_UNREACHABLE' });
      }, this.#o.timeoutMs ?? 20_000);
      this.#waiters.set(requestId, (m) => {
        clearTimeout(timer);
        resolve(m ? { ok: true, value: m } : { ok: false, code: 'RELAY_UNREACHABLE' });
      });
      this.#send(msg);
    });
  }

  #send(msg: KioskToRelay): void {
    if (this.#session && this.#ws?.readyState === WebSocket.OPEN)
      this.#ws.send(this.#session.seal(encodeMessage(msg)));
  }

  #changed(): void {
    for (const l of this.#availability) l();
  }

  #drop(): void {
    const had = this.#session !== null;
    this.#session = null;
    this.#ws = null;
    for (const w of this.#waiters.values()) w(null);
    this.#waiters.clear();
    if (had) this.#changed();
  }

  #later(): void {
    if (this.#stopped) return;
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => this.#connect(), this.#o.retryMs ?? 1000);
  }

  #connect(): void {
    const init = createInitiator({
      identity: this.#o.identity,
      peerPublicKey: this.#o.relayPublicKey,
      crypto: this.#o.crypto,
    });
    const ws = new WebSocket(this.#o.url, {
      headers: { 'x-channel-hello': init.hello },
      perMessageDeflate: false,
      maxPayload: 256 * 1024,
      handshakeTimeout: 5000,
    });
    let response: string | undefined;
    ws.on('error', () => undefined);
    ws.on('upgrade', (res) => {
      const h = res.headers['x-channel-response'];
      response = typeof h === 'string' ? h : undefined;
    });
    ws.on('unexpected-response', (_req, res) => {
      const code = res.headers['x-relay-error'];
      this.#o.logger?.warn('relay-link.refused', {
        status: res.statusCode ?? 0,
        code: typeof code === 'string' ? code : null,
      });
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      const r = response === undefined ? undefined : init.accept(response);
      if (!r?.ok) {
        this.#o.logger?.warn('relay-link.handshake-failed', { code: r?.code ?? 'CHANNEL_HANDSHAKE_FAILED' });
        ws.terminate();
        return;
      }
      ws.send(r.finished);
      this.#ws = ws;
      this.#session = r.session;
      this.#o.logger?.info('relay-link.connected', { kioskId: this.#kioskId });
      this.#changed();
    });
    ws.on('message', (data: Buffer) => {
      const session = this.#session;
      if (!session || this.#ws !== ws) return;
      const opened = session.open(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (!opened.ok) return void ws.terminate();
      const m = decodeMessage(opened.plaintext, RelayToKiosk);
      if (!m.ok) return void ws.terminate();
      this.#onMessage(m.value);
    });
    ws.on('close', () => {
      if (this.#ws === ws || this.#ws === null) this.#drop();
      this.#later();
    });
  }

  #onMessage(m: RelayToKiosk): void {
    switch (m.type) {
      case 'notice':
        this.#o.logger?.warn('relay-link.notice', { code: m.code, municipality: m.municipality ?? null });
        if (m.code === 'RELAY_ISSUANCE_STOPPED' && !m.municipality) this.#stopCode = m.code;
        else if (m.code === 'RELAY_KIOSK_REVOKED') this.#stopCode = m.code;
        else if (!m.municipality) this.#stopCode = null;
        this.#changed();
        return;
      case 'heartbeat.ack':
        return;
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

/** Registers this kiosk's public key with a one-time code from the operator (`POST /enroll`). */
export async function enrollKiosk(
  enrollUrl: string,
  code: string,
  identity: Identity,
  name?: string,
): Promise<{ ok: true } | Failure> {
  try {
    const r = await fetch(enrollUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, publicKey: keyId(identity.publicKey), ...(name ? { name } : {}) }),
    });
    if (r.ok) return { ok: true };
    const body = (await r.json().catch(() => ({}))) as { code?: unknown; error?: { code?: unknown } };
    const c =
      typeof body.code === 'string'
        ? body.code
        : typeof body.error?.code === 'string'
          ? body.error.code
          : null;
    return { ok: false, code: c ?? 'RELAY_ENROLL_CODE_INVALID' };
  } catch {
    return { ok: false, code: 'RELAY_UNREACHABLE' };
  }
}
