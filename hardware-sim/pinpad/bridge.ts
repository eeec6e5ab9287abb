import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimKeypad } from './sim-keypad.js';

export interface PinPadBridge {
  /** `ws://127.0.0.1:<port>/pinpad?token=<random>` for `LoopbackHidTransport`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Exposes a simulated keypad to another process on loopback: a WebSocket carrying raw 8-byte input
 * reports (binary, device → host) and 1-byte LED output reports (host → device). The URL carries a
 * random token checked before the upgrade; a plugged-out keypad refuses the upgrade (404) and closes
 * every connection (code 4001), as a USB device disappears.
 */
export async function startPinPadBridge(keypad: SimKeypad, port = 0): Promise<PinPadBridge> {
  const token = randomBytes(16).toString('hex');
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 });
  const server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  const reject = (socket: Duplex, status: number) => {
    socket.end(
      `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\nConnection: close\r\n\r\n`,
    );
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const want = Buffer.from(token);
    if (url.pathname !== '/pinpad' || given.length !== want.length || !timingSafeEqual(given, want))
      return reject(socket, 403);
    if (!keypad.plugged) return reject(socket, 404);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });
  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (ws: WebSocket) => {
    alive.add(ws);
    ws.on('error', () => undefined);
    ws.on('pong', () => alive.add(ws));
    const off = keypad.onReport((r) => ws.send(r));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (bytes.length >= 1 && bytes.length <= 2) keypad.output(new Uint8Array(bytes));
    });
    ws.on('close', off);
  });
  const offPlug = keypad.onPlugChange((plugged) => {
    if (!plugged) for (const ws of wss.clients) ws.close(4001, 'unplugged');
  });
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, 15_000);
  heartbeat.unref();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `ws://127.0.0.1:${actual}/pinpad?token=${token}`,
    close: async () => {
      clearInterval(heartbeat);
      offPlug();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
