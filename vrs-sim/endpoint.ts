import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { Logger } from '../common/log.js';
import {
  acceptHello,
  decodeMessage,
  encodeMessage,
  HANDSHAKE_TIMEOUT_MS,
  HELLO_HEADER,
  MAX_FRAME_BYTES,
  RelayToVrs,
  RESPONSE_HEADER,
  toBase64Url,
  type ChannelSession,
  type CryptoProvider,
  type Identity,
  type PendingSession,
  type VrsToRelay,
} from '../protocol/index.js';
import type { Alert, AlertCenter } from './alerts.js';
import type { RequestHandler } from './handler.js';

export interface EndpointOptions {
  /** The LGWAN-side address to listen on (loopback by default). */
  host: string;
  port: number;
  identity: Identity;
  crypto: CryptoProvider;
  /** Pinned relay identity keys: no other key gets a channel. */
  relayPublicKeys: readonly Uint8Array[];
  handler: RequestHandler;
  alerts: AlertCenter;
  log: Logger;
  heartbeatMs?: number;
  handshakeTimeoutMs?: number;
  /** Requests being worked on per channel before further ones get VRS_UNAVAILABLE at once. */
  maxInFlight?: number;
}

export interface RunningEndpoint {
  url: string;
  port: number;
  /** Relays with an established channel now. */
  connectedRelays(): number;
  close(): Promise<void>;
}

const MAX_QUEUED_ALERTS = 100;

function refuse(socket: Socket, status: 401 | 403 | 400, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The LGWAN-side endpoint: a WebSocket server that speaks only the protocol's authenticated channel.
 * The relay's hello is checked in the HTTP upgrade handler (signature, clock, pinned key) before any
 * WebSocket exists; the channel answer goes back in the 101 response header; the first frame must be the
 * relay's `finished`. Plain HTTP, a missing or bad hello, an unknown key, a late or bad `finished`, a
 * frame that fails to open, a text frame or a malformed message: refused, the connection closed, and an
 * alert raised (kept locally and sent as `vrs.alert` to connected relays).
 */
export async function startEndpoint(o: EndpointOptions): Promise<RunningEndpoint> {
  const pinned = new Set(o.relayPublicKeys.map((k) => toBase64Url(k)));
  const sessions = new Set<{ ws: WebSocket; session: ChannelSession }>();
  const queued: Alert[] = [];
  const handshakeTimeout = o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  const maxInFlight = o.maxInFlight ?? 256;
  const responses = new WeakMap<
    IncomingMessage,
    { response: string; pending: PendingSession; relayId: string }
  >();

  const send = (ws: WebSocket, session: ChannelSession, msg: VrsToRelay) => {
    if (ws.readyState !== WebSocket.OPEN || session.closed) return;
    ws.send(session.seal(encodeMessage(msg)));
  };
  const alertMessage = (a: Alert): VrsToRelay => ({
    v: 1,
    type: 'vrs.alert',
    alertId: a.alertId,
    kind: a.kind,
    severity: a.severity,
    ...(a.kioskId !== undefined ? { kioskId: a.kioskId } : {}),
    detail: a.detail,
    at: a.at,
  });
  const unsubscribe = o.alerts.subscribe((a) => {
    if (sessions.size === 0) {
      queued.push(a);
      if (queued.length > MAX_QUEUED_ALERTS) queued.shift();
      return;
    }
    for (const s of sessions) send(s.ws, s.session, alertMessage(a));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  wss.on('headers', (headers, req) => {
    const r = responses.get(req);
    if (r !== undefined) headers.push(`${RESPONSE_HEADER}: ${r.response}`);
  });
  wss.on('error', () => undefined);

  const server: Server = createServer((req, res) => {
    // Anything but a channel upgrade: refused, and noted.
    o.alerts.raise('not-channel', {
      source: req.socket.remoteAddress ?? 'unknown',
      text: `plain HTTP ${req.method ?? ''}`.trim(),
    });
    res.writeHead(426, { Connection: 'close', 'Content-Length': '0' }).end();
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    const source = socket.remoteAddress ?? 'unknown';
    const hello = req.headers[HELLO_HEADER];
    if (typeof hello !== 'string' || hello.length > 512) {
      o.alerts.raise('not-channel', { source, text: 'upgrade without a channel hello' });
      return refuse(socket, 401, 'Unauthorized');
    }
    void acceptHello(hello, {
      identity: o.identity,
      crypto: o.crypto,
      isKnownPeer: (pk) => pinned.has(toBase64Url(pk)),
    }).then(
      (r) => {
        if (!r.ok) {
          const unknown = r.code === 'CHANNEL_UNKNOWN_PEER';
          o.alerts.raise(unknown ? 'unknown-peer' : 'handshake-failed', { source, text: `code=${r.code}` });
          return refuse(socket, unknown ? 403 : 401, unknown ? 'Forbidden' : 'Unauthorized');
        }
        responses.set(req, {
          response: r.response,
          pending: r.pending,
          relayId: toBase64Url(r.peerPublicKey),
        });
        wss.handleUpgrade(req, socket, head, (ws) => onChannel(ws, req, source));
      },
      () => refuse(socket, 400, 'Bad Request'),
    );
  });

  function onChannel(ws: WebSocket, req: IncomingMessage, source: string): void {
    const hs = responses.get(req);
    responses.delete(req);
    if (hs === undefined) return void ws.terminate();
    const ctx = { relayId: hs.relayId, source };
    let entry: { ws: WebSocket; session: ChannelSession } | undefined;
    let alive = true;
    let inFlight = 0;
    const fail = (kind: Parameters<AlertCenter['raise']>[0], text: string) => {
      o.alerts.raise(kind, { source, text: `${text} relay=${hs.relayId.slice(0, 12)}` });
      ws.terminate();
    };
    const timer = setTimeout(() => {
      if (entry === undefined) fail('handshake-failed', 'finished frame not received in time');
    }, handshakeTimeout);
    ws.on('error', () => undefined);
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return fail('malformed-message', 'text frame');
      const frame = toBytes(data);
      if (entry === undefined) {
        clearTimeout(timer);
        const done = hs.pending.complete(frame);
        if (!done.ok) return fail('handshake-failed', `code=${done.code}`);
        entry = { ws, session: done.session };
        sessions.add(entry);
        o.log.info('relay.connected', { relayId: hs.relayId, source });
        for (const a of queued.splice(0)) send(ws, done.session, alertMessage(a));
        return;
      }
      const session = entry.session;
      const opened = session.open(frame);
      if (!opened.ok) return fail('frame-refused', `code=${opened.code}`);
      const msg = decodeMessage(opened.plaintext, RelayToVrs);
      if (!msg.ok) return fail('malformed-message', `code=${msg.code}`);
      // Bounded work per channel: beyond the limit a request is answered "unavailable" at once.
      if (inFlight >= maxInFlight)
        return send(ws, session, {
          v: 1,
          type: 'vrs.error',
          requestId: msg.value.requestId,
          code: 'VRS_UNAVAILABLE',
        });
      inFlight++;
      o.handler
        .handle(msg.value, ctx)
        .then(
          (reply) => send(ws, session, reply),
          (err: unknown) =>
            o.log.error('handler.failed', { error: err instanceof Error ? err.name : 'error' }),
        )
        .finally(() => inFlight--);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      if (code === 1009) o.alerts.raise('frame-refused', { source, text: 'frame over the size limit' });
      if (entry !== undefined) {
        sessions.delete(entry);
        entry.session.close();
        o.log.info('relay.disconnected', { relayId: hs.relayId });
      }
    });
    const beat = setInterval(() => {
      if (!alive) return void ws.terminate();
      alive = false;
      ws.ping();
    }, o.heartbeatMs ?? 30_000);
    ws.on('close', () => clearInterval(beat));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `ws://${hostPart}:${port}`,
    port,
    connectedRelays: () => sessions.size,
    async close() {
      unsubscribe();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
