import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  HELLO_HEADER,
  KioskToRelay,
  MAX_FRAME_BYTES,
  RESPONSE_HEADER,
  acceptHello,
  bytesEqual,
  decodeMessage,
  encodeMessage,
  type ChannelSession,
  type CryptoProvider,
  type Identity,
  type PendingSession,
  type RelayToKiosk,
} from '../../../../protocol/index.js';

/** One kiosk connection as the test responder sees it. */
export interface TestConnection {
  readonly ws: WebSocket;
  readonly session: ChannelSession;
  /** Seals and sends a message. */
  send(message: RelayToKiosk): void;
  /** Sends raw bytes as a binary frame (for tampered or replayed frames). */
  sendRaw(bytes: Uint8Array): void;
}

export type TestHandler = (message: KioskToRelay, conn: TestConnection) => void | Promise<void>;

export interface TestResponder {
  readonly url: string;
  readonly received: KioskToRelay[];
  readonly connections: TestConnection[];
  /** Replaces how messages are answered. */
  handle(handler: TestHandler): void;
  /** Refuse upgrades with this status and `x-relay-error` code (null: accept). */
  refuse(with_: { status: number; code: string } | null): void;
  close(): Promise<void>;
}

/**
 * A minimal relay-side responder for testing the kiosk's relay client, built from the protocol's
 * `acceptHello`: authenticates the kiosk in the upgrade handler, answers in `x-channel-response`, completes
 * the session with the first frame, then hands each decoded message to a handler.
 */
export async function startTestResponder(options: {
  identity: Identity;
  crypto: CryptoProvider;
  /** Kiosk keys accepted. */
  kioskKeys: Uint8Array[];
  handler?: TestHandler;
}): Promise<TestResponder> {
  let handler: TestHandler = options.handler ?? (() => undefined);
  let refusal: { status: number; code: string } | null = null;
  const received: KioskToRelay[] = [];
  const connections: TestConnection[] = [];
  const responses = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  wss.on('headers', (headers, req) => {
    const response = responses.get(req);
    if (response !== undefined) headers.push(`${RESPONSE_HEADER}: ${response}`);
  });
  const refuseUpgrade = (socket: Duplex, status: number, code: string) => {
    socket.end(
      `HTTP/1.1 ${status} Refused\r\nConnection: close\r\nx-relay-error: ${code}\r\nContent-Length: 0\r\n\r\n`,
    );
  };
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    void (async () => {
      if (refusal !== null) return refuseUpgrade(socket, refusal.status, refusal.code);
      const hello = req.headers[HELLO_HEADER];
      if (typeof hello !== 'string') return refuseUpgrade(socket, 401, 'CHANNEL_HANDSHAKE_FAILED');
      const r = await acceptHello(hello, {
        identity: options.identity,
        crypto: options.crypto,
        isKnownPeer: (pk) => options.kioskKeys.some((k) => bytesEqual(k, pk)),
      });
      if (!r.ok) return refuseUpgrade(socket, r.code === 'CHANNEL_UNKNOWN_PEER' ? 403 : 401, r.code);
      responses.set(req, r.response);
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, r.pending));
    })();
  });

  function onConnection(ws: WebSocket, pending: PendingSession): void {
    let conn: TestConnection | undefined;
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (conn === undefined) {
        const done = pending.complete(bytes);
        if (!done.ok) return void ws.close(4401);
        const session = done.session;
        conn = {
          ws,
          session,
          send: (m) => ws.send(session.seal(encodeMessage(m))),
          sendRaw: (b) => ws.send(b),
        };
        connections.push(conn);
        return;
      }
      const opened = conn.session.open(bytes);
      if (!opened.ok) return void ws.close(4400);
      const m = decodeMessage(opened.plaintext, KioskToRelay);
      if (!m.ok) return void ws.close(4400);
      received.push(m.value);
      void handler(m.value, conn);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/kiosk`,
    received,
    connections,
    handle: (h) => {
      handler = h;
    },
    refuse: (r) => {
      refusal = r;
    },
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
