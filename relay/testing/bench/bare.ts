import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * The forwarding benchmark's baseline: a bare `ws` echo back end and a bare `ws` forwarder. Messages are
 * binary, a 4-byte id then the payload; the forwarder renumbers ids on the way up and restores them on the
 * way down, so answers reach the client and request that asked, and does nothing else (no crypto, no
 * schema, no audit).
 */
export interface Bare {
  url: string;
  close(): Promise<void>;
}

/** A `ws` server on a loopback port: its URL, and a close for both the server and its HTTP listener. */
async function wsServer(
  options: { maxPayload?: number },
  onClose: () => void = () => undefined,
): Promise<Bare & { wss: WebSocketServer }> {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, ...options });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    wss,
    close: async () => {
      onClose();
      wss.close();
      server.close();
    },
  };
}

export async function startBareEcho(): Promise<Bare> {
  const echo = await wsServer({});
  echo.wss.on('connection', (ws) => ws.on('message', (d, bin) => ws.send(d, { binary: bin })));
  return echo;
}

export async function startBareForwarder(upstreamUrl: string): Promise<Bare> {
  const upstream = new WebSocket(upstreamUrl, { perMessageDeflate: false });
  await new Promise((r, j) => {
    upstream.once('open', r);
    upstream.once('error', j);
  });
  const forwarder = await wsServer({ maxPayload: 64 * 1024 }, () => upstream.close());
  const routes = new Map<number, { ws: WebSocket; clientId: number }>();
  let seq = 0;
  upstream.on('message', (d: Buffer) => {
    const id = d.readUInt32BE(0);
    const route = routes.get(id);
    if (route === undefined) return;
    routes.delete(id);
    d.writeUInt32BE(route.clientId, 0);
    route.ws.send(d);
  });
  forwarder.wss.on('connection', (ws) => {
    ws.on('message', (d: Buffer) => {
      const id = ++seq >>> 0;
      routes.set(id, { ws, clientId: d.readUInt32BE(0) });
      d.writeUInt32BE(id, 0);
      upstream.send(d);
    });
  });
  return forwarder;
}
