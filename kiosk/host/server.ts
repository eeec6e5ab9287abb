import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../common/log.js';
import { createLogger } from '../../common/log.js';
import type { IntentResult } from '../shared/intents.js';
import type { ViewState } from '../shared/view.js';
import { type Asset, contentSecurityPolicy, fontAsset, loadRendererAssets } from './assets.js';
import { BRIDGE_MAX_PAYLOAD, BRIDGE_PATH, type BridgeEvent, BridgeRequestSchema } from './bridge-protocol.js';

/** What the host needs of the main-process core (`KioskFlow` has this shape). */
export interface KioskCore {
  readonly view: ViewState;
  intent(raw: unknown): IntentResult;
  onView(listener: (v: ViewState) => void): () => void;
  onTransactionEnd(listener: (e: { txId: number; reason: string }) => void): () => void;
}

export interface HostOptions {
  core: KioskCore;
  port?: number;
  /** Loopback only. */
  host?: '127.0.0.1' | '::1';
  log?: Logger;
}

export interface RunningHost {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the renderer over HTTP on loopback where Electron is not installed, and bridges the preload API over a
 * WebSocket on the same origin. The page's CSP lets it reach only its own origin; the bridge refuses upgrades
 * from any other origin or Host (DNS rebinding) and any message off the schema.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const log = options.log ?? createLogger('kiosk.host');
  const hostname = options.host ?? '127.0.0.1';
  const assets = await loadRendererAssets(true);
  let origin = '';
  let hostHeader = '';

  const server = createServer((req, res) => serve(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: BRIDGE_MAX_PAYLOAD });
  const clients = new Set<WebSocket>();

  function send(ws: WebSocket, e: BridgeEvent): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
  }
  const broadcast = (e: BridgeEvent) => clients.forEach((ws) => send(ws, e));
  const offView = options.core.onView((view) => broadcast({ type: 'view', view }));
  const offEnd = options.core.onTransactionEnd(() => broadcast({ type: 'reload' }));

  function serve(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.headers.host !== hostHeader) return end(res, 421, 'misdirected');
    if (req.method !== 'GET') return end(res, 405, 'method not allowed');
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    let asset: Asset | null | undefined = assets.get(path);
    if (!asset && path.startsWith('/fonts/files/')) asset = fontAsset(path.slice('/fonts/files/'.length));
    if (!asset) return end(res, 404, 'not found');
    res.writeHead(200, {
      'content-type': asset.type,
      'content-security-policy': contentSecurityPolicy(`'self' ws://${hostHeader}`),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(asset.body);
  }

  function end(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== BRIDGE_PATH || req.headers.origin !== origin || req.headers.host !== hostHeader) {
      log.warn('host.upgrade-refused', { path, code: 'KIOSK_BAD_INTENT' });
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('error', () => ws.terminate());
      ws.on('close', () => clients.delete(ws));
      ws.on('message', (data) => {
        let raw: unknown;
        try {
          raw = JSON.parse(String(data));
        } catch {
          raw = undefined;
        }
        const parsed = BridgeRequestSchema.safeParse(raw);
        if (!parsed.success) return send(ws, { type: 'error', code: 'KIOSK_BAD_INTENT' });
        const r = parsed.data;
        if (r.op === 'state') return send(ws, { type: 'result', id: r.id, result: options.core.view });
        send(ws, { type: 'result', id: r.id, result: options.core.intent(r.intent) });
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, hostname, resolve));
  const { port } = server.address() as AddressInfo;
  hostHeader = hostname === '::1' ? `[::1]:${port}` : `${hostname}:${port}`;
  origin = `http://${hostHeader}`;
  log.info('host.listening', { url: origin });
  return {
    url: `${origin}/`,
    async close() {
      offView();
      offEnd();
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
