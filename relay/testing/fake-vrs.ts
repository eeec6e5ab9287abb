import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { sodiumCrypto } from '../../common/crypto-sodium.js';
import { sendCorked } from '../corked-send.js';
import {
  acceptHello,
  bytesEqual,
  decodeMessage,
  encodeMessage,
  fromBase64Url,
  generateIdentity,
  keyId,
  MAX_FRAME_BYTES,
  openRequest,
  RelayToVrs,
  sealAnswer,
  x25519KeyPair,
  type ChannelSession,
  type Identity,
  type Municipality,
  type VrsToRelay,
} from '../../protocol/index.js';
import { toBytes } from '../vrs-side/link.js';

export interface FakeVrsOptions {
  relayPublicKey: Uint8Array;
  municipalities: Municipality[];
  /** Delay before answering, per request (random delays shuffle the order of answers). */
  delayMs?: () => number;
  /** When true for a request, no answer is sent (timeouts). */
  drop?: (requestId: string) => boolean;
  /** VRS's box key pair, shared by several endpoints of one VRS. */
  box?: { publicKey: Uint8Array; secretKey: Uint8Array };
  /** Benchmarks: answer at once with the request's own sealed bytes (no envelope work, like an echo back end). */
  echo?: boolean;
  /** Send every answer twice (the second must be dropped by the relay as late). */
  duplicateAnswers?: boolean;
}

/**
 * A VRS channel peer for relay tests: a real responder handshake on a real WebSocket, real envelopes
 * (it opens each sealed request with its box key and seals a real, bound answer). It deduplicates by
 * request id, as VRS does, so a retried request gets the same sealed answer.
 */
export class FakeVrs {
  readonly identity: Identity = generateIdentity(sodiumCrypto);
  readonly box: { publicKey: Uint8Array; secretKey: Uint8Array };
  readonly #opts: FakeVrsOptions;
  readonly #server: Server;
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });
  readonly #responses = new WeakMap<IncomingMessage, string>();
  readonly #answers = new Map<string, string>();
  readonly sockets = new Set<WebSocket>();
  readonly #senders = new Set<(m: VrsToRelay) => void>();
  requestsSeen = 0;
  /** Overrides `options.delayMs` at run time. */
  delayMs: (() => number) | undefined;
  url = '';

  constructor(opts: FakeVrsOptions) {
    this.#opts = opts;
    this.box = opts.box ?? x25519KeyPair(sodiumCrypto);
    this.#wss.on('headers', (h, req) => {
      const r = this.#responses.get(req);
      if (r !== undefined) h.push(`x-channel-response: ${r}`);
    });
    this.#server = createServer((_req, res) => res.writeHead(404).end());
    this.#server.on('upgrade', async (req, socket, head) => {
      socket.on('error', () => undefined);
      const hello = req.headers['x-channel-hello'];
      const r =
        typeof hello === 'string'
          ? await acceptHello(hello, {
              identity: this.identity,
              crypto: sodiumCrypto,
              isKnownPeer: (pk) => bytesEqual(pk, this.#opts.relayPublicKey),
            })
          : undefined;
      if (r === undefined || !r.ok)
        return void socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      this.#responses.set(req, r.response);
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
        ws.on('error', () => undefined);
        let session: ChannelSession | undefined;
        ws.on('message', (data) => {
          const bytes = toBytes(data);
          if (session === undefined) {
            const done = r.pending.complete(bytes);
            if (!done.ok) return void ws.terminate();
            session = done.session;
            const s0 = done.session;
            const sender = (m: VrsToRelay) => {
              if (!s0.closed && ws.readyState === ws.OPEN) sendCorked(ws, s0.seal(encodeMessage(m)));
            };
            this.#senders.add(sender);
            ws.on('close', () => this.#senders.delete(sender));
            return;
          }
          const opened = session.open(bytes);
          if (!opened.ok) return void ws.terminate();
          const msg = decodeMessage(opened.plaintext, RelayToVrs);
          if (!msg.ok) return void ws.terminate();
          const s = session;
          const send = (m: VrsToRelay) => {
            if (!s.closed && ws.readyState === ws.OPEN) sendCorked(ws, s.seal(encodeMessage(m)));
          };
          this.#handle(msg.value, send);
        });
      });
    });
  }

  #handle(m: RelayToVrs, send: (m: VrsToRelay) => void): void {
    if (m.type === 'vrs.municipalities.request') {
      return send({
        v: 1,
        type: 'vrs.municipalities.response',
        requestId: m.requestId,
        list: this.#opts.municipalities.map((m) => m.code),
      });
    }
    this.requestsSeen++;
    if (this.#opts.echo)
      return send({ v: 1, type: 'vrs.response', requestId: m.requestId, sealed: m.sealed });
    if (this.#opts.drop?.(m.requestId)) return;
    let sealed = this.#answers.get(m.requestId);
    if (sealed === undefined) {
      const bytes = fromBase64Url(m.sealed);
      const opened =
        bytes && openRequest({ sealed: bytes, vrsBoxSecretKey: this.box.secretKey, crypto: sodiumCrypto });
      if (bytes === undefined || !opened || !opened.ok || opened.request.kioskId !== m.kioskId) {
        return send({ v: 1, type: 'vrs.error', requestId: m.requestId, code: 'ENVELOPE_AUTH_FAILED' });
      }
      sealed = Buffer.from(
        sealAnswer({
          request: opened.request,
          sealedRequest: bytes,
          body: { outcome: 'no-record' },
          crypto: sodiumCrypto,
        }),
      ).toString('base64url');
      this.#answers.set(m.requestId, sealed);
    }
    const answer: VrsToRelay = { v: 1, type: 'vrs.response', requestId: m.requestId, sealed };
    const go = () => {
      send(answer);
      if (this.#opts.duplicateAnswers) send(answer);
    };
    const d = (this.delayMs ?? this.#opts.delayMs)?.() ?? 0;
    if (d > 0) setTimeout(go, d);
    else go();
  }

  /** Sends an alert as VRS would (e.g. a binding mismatch). */
  alertAll(kind: string, kioskId?: string): void {
    for (const send of this.#senders) {
      send({
        v: 1,
        type: 'vrs.alert',
        alertId: `a${Date.now()}`,
        kind,
        severity: 'critical',
        ...(kioskId ? { kioskId } : {}),
        detail: 'test alert',
        at: Date.now(),
      });
    }
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    this.url = `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/vrs`;
    return this.url;
  }

  get publicKey(): string {
    return keyId(this.identity.publicKey);
  }

  /** Cuts every link (the relay must reconnect). */
  dropLinks(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    this.dropLinks();
    await new Promise<void>((r) => this.#server.close(() => r()));
    this.#server.closeAllConnections();
  }
}
