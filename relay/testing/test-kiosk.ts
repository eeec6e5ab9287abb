import WebSocket from 'ws';
import { nodeCrypto } from '../../common/crypto-node.js';
import {
  createInitiator,
  decodeMessage,
  encodeMessage,
  fromBase64Url,
  generateIdentity,
  keyId,
  newRequestId,
  openAnswer,
  RelayToKiosk,
  sealRequest,
  type ChannelSession,
  type CryptoProvider,
  type Identity,
  type KioskToRelay,
  type OpenAnswerResult,
} from '../../protocol/index.js';
import { toBytes } from '../vrs-side/link.js';

export type ConnectResult =
  { ok: true; kiosk: TestKiosk } | { ok: false; status: number | undefined; code: string | undefined };

/** Fictional card data whose fields the canary test looks for. Never a real person. */
export const CANARY = {
  myNumber: '987654321098',
  name: 'CANARY TESTKO',
  address: 'CANARYTOWN 1-2-3',
  birthDate: '19700101',
};

const b64u = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** The device health test kiosks report in their heartbeats. */
export const TEST_HEALTH = {
  reader: 'ok',
  printer: 'ok',
  paper: 'low',
  pinpad: 'ok',
  coin: 'ok',
  hopper: 'ok',
  software: 'test-1.0',
} as const;

export const CANARY_CARD = {
  myNumberEf: b64u(`\xd0\x0c${CANARY.myNumber}`),
  basic4Ef: b64u(`NAME=${CANARY.name};ADDR=${CANARY.address};BIRTH=${CANARY.birthDate};SEX=2`),
  signatureEf: b64u('canary-signature'),
  certificateEf: b64u('canary-certificate'),
};

/**
 * A minimal kiosk for relay tests and benchmarks: the channel handshake in the upgrade, sealed messages,
 * and end-to-end requests whose answers it opens and checks (`openAnswer`: binding to its own request id,
 * kiosk id and sealed request).
 */
export class TestKiosk {
  readonly ws: WebSocket;
  readonly identity: Identity;
  readonly kioskId: string;
  readonly notices: Array<Extract<RelayToKiosk, { type: 'notice' }>> = [];
  /** Request ids whose outcome the relay acknowledged (in its audit log). */
  readonly outcomeAcks: string[] = [];
  readonly #session: ChannelSession;
  readonly #waiters = new Map<string, (m: RelayToKiosk) => void>();
  readonly #crypto: CryptoProvider;
  /** Messages for a request id this kiosk is not waiting for (must stay 0: nothing reaches the wrong place). */
  unexpected = 0;
  closeCode: number | undefined;
  closeReason = '';
  readonly closed: Promise<void>;

  constructor(ws: WebSocket, identity: Identity, session: ChannelSession, crypto: CryptoProvider) {
    this.ws = ws;
    this.identity = identity;
    this.kioskId = keyId(identity.publicKey);
    this.#session = session;
    this.#crypto = crypto;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve();
      });
    });
    ws.on('message', (data) => {
      const opened = this.#session.open(toBytes(data));
      if (!opened.ok) return void ws.terminate();
      const m = decodeMessage(opened.plaintext, RelayToKiosk);
      if (!m.ok) return void ws.terminate();
      const v = m.value;
      if (v.type === 'notice') return void this.notices.push(v);
      if (v.type === 'issue.outcome.ack') return void this.outcomeAcks.push(v.requestId);
      const key = v.type === 'heartbeat.ack' ? `hb:${v.seq}` : v.requestId;
      const w = this.#waiters.get(key);
      this.#waiters.delete(key);
      if (w === undefined) this.unexpected++;
      else w(v);
    });
  }

  static async connect(
    url: string,
    relayPublicKey: Uint8Array,
    options: { identity?: Identity; crypto?: CryptoProvider; localAddress?: string } = {},
  ): Promise<ConnectResult> {
    const crypto = options.crypto ?? nodeCrypto;
    const identity = options.identity ?? generateIdentity(crypto);
    const init = createInitiator({ identity, peerPublicKey: relayPublicKey, crypto });
    const ws = new WebSocket(url, {
      headers: { 'x-channel-hello': init.hello },
      perMessageDeflate: false,
      handshakeTimeout: 15_000,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    return new Promise((resolve) => {
      let response: string | undefined;
      ws.on('error', () => undefined);
      ws.on('upgrade', (res) => {
        const h = res.headers['x-channel-response'];
        response = typeof h === 'string' ? h : undefined;
      });
      ws.on('unexpected-response', (_req, res) => {
        const code = res.headers['x-relay-error'];
        resolve({ ok: false, status: res.statusCode, code: typeof code === 'string' ? code : undefined });
        res.resume();
        ws.terminate();
      });
      ws.on('close', () => resolve({ ok: false, status: undefined, code: 'RELAY_UNREACHABLE' }));
      ws.on('open', () => {
        const r = response === undefined ? undefined : init.accept(response);
        if (r === undefined || !r.ok) {
          ws.terminate();
          return resolve({ ok: false, status: 101, code: r?.code ?? 'CHANNEL_HANDSHAKE_FAILED' });
        }
        ws.send(r.finished);
        ws.removeAllListeners('close');
        resolve({ ok: true, kiosk: new TestKiosk(ws, identity, r.session, crypto) });
      });
    });
  }

  send(msg: KioskToRelay): void {
    this.ws.send(this.#session.seal(encodeMessage(msg)));
  }

  /** Sends raw bytes (tests of malformed frames). */
  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  /** Seals raw plaintext into a valid frame (tests of malformed messages). */
  sealRaw(plaintext: Uint8Array): Uint8Array {
    return this.#session.seal(plaintext);
  }

  waitFor(key: string, timeoutMs = 20_000): Promise<RelayToKiosk> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.#waiters.delete(key);
        reject(new Error(`no answer for ${key}`));
      }, timeoutMs);
      this.#waiters.set(key, (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  }

  async heartbeat(seq: number, timeoutMs = 20_000): Promise<RelayToKiosk> {
    const p = this.waitFor(`hb:${seq}`, timeoutMs);
    this.send({
      v: 1,
      type: 'heartbeat',
      seq,
      health: TEST_HEALTH,
    });
    return p;
  }

  /**
   * One end-to-end request: sealed to VRS's box key, sent, and its answer opened and checked.
   * `opened` is undefined when the relay answered with `issue.error`.
   */
  async request(
    vrsBoxPublicKey: Uint8Array,
    municipality: string,
    requestId = newRequestId(this.#crypto),
  ): Promise<{
    requestId: string;
    reply: RelayToKiosk;
    opened: OpenAnswerResult | undefined;
  }> {
    const { sealed, replyKey } = sealRequest({
      vrsBoxPublicKey,
      request: {
        requestId,
        kioskId: this.kioskId,
        municipality,
        certType: 'domestic',
        copies: 1,
        card: CANARY_CARD,
      },
      crypto: this.#crypto,
    });
    const p = this.waitFor(requestId);
    this.send({
      v: 1,
      type: 'issue.request',
      requestId,
      municipality,
      certType: 'domestic',
      sealed: Buffer.from(sealed).toString('base64url'),
    });
    const reply = await p;
    let opened: OpenAnswerResult | undefined;
    if (reply.type === 'issue.response') {
      const bytes = fromBase64Url(reply.sealed);
      opened = bytes
        ? openAnswer({
            sealed: bytes,
            replyKey,
            requestId,
            kioskId: this.kioskId,
            sealedRequest: sealed,
            crypto: this.#crypto,
          })
        : { ok: false, code: 'PROTOCOL_MALFORMED' };
    }
    return { requestId, reply, opened };
  }

  /** Sends opaque sealed bytes (benchmarks: the relay cannot tell them from a real envelope). */
  requestRaw(requestId: string, municipality: string, sealed: string): Promise<RelayToKiosk> {
    const p = this.waitFor(requestId, 60_000);
    this.send({ v: 1, type: 'issue.request', requestId, municipality, certType: 'domestic', sealed });
    return p;
  }

  close(): void {
    this.ws.close();
  }
}
