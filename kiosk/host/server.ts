import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../common/log.js';
import { createLogger } from '../../common/log.js';
import type { IntentResult } from '../shared/intents.js';
import type { ViewState } from '../shared/view.js';
import { type Asset, contentSecurityPolicy, fontAsset, loadRendererAssets } from './assets.js';
import { BridgeAuth, parseBridgeCredential, RefusalLog } from './bridge-auth.js';
import {
  BRIDGE_LAUNCH_FRAGMENT,
  BRIDGE_MAX_PAYLOAD,
  BRIDGE_PATH,
  BRIDGE_PROTOCOL,
  type BridgeEvent,
  parseBridgeRequest,
} from './bridge-protocol.js';

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
  /** The page's address, WITHOUT a secret: opening it alone does not connect to the kiosk. */
  url: string;
  /**
   * A one-time URL that opens the kiosk's one renderer: `url` with `#launch=<secret>`. Minting one ends the
   * previous renderer's session once the new URL is used, and voids any earlier URL not yet used. Hand it
   * only to the window you open (never on a command line: other local processes can read those).
   */
  launchUrl(): string;
  close(): Promise<void>;
}

/**
 * Serves the renderer over HTTP on loopback where Electron is not installed, and bridges the preload API over a
 * WebSocket on the same origin. The page's CSP lets it reach only its own origin; the bridge refuses upgrades
 * from any other origin or Host (DNS rebinding) and any message off the schema.
 *
 * Origin and Host are only what a browser promises: any local process can send them. So the bridge also
 * authenticates its ONE renderer with a secret only the window the owner opened holds (`BridgeAuth`,
 * `launchUrl()`); at most one connection is live, views and answers go to it alone, and every refused
 * connection is logged (`host.bridge-refused`, `KIOSK_BRIDGE_REFUSED`, rate-limited).
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const log = options.log ?? createLogger('kiosk.host');
  const hostname = options.host ?? '127.0.0.1';
  const assets = await loadRendererAssets(true);
  let origin = '';
  let hostHeader = '';

  const server = createServer((req, res) => serve(req, res));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: BRIDGE_MAX_PAYLOAD,
    handleProtocols: (offered) => (offered.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });
  const auth = new BridgeAuth();
  const refusals = new RefusalLog(log);
  /** The one authenticated renderer connection. */
  let current: WebSocket | null = null;

  function send(ws: WebSocket, e: BridgeEvent): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
  }
  const broadcast = (e: BridgeEvent) => {
    if (current) send(current, e);
  };
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

  function refuse(socket: Duplex, reason: string): void {
    refusals.note(reason);
    socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== BRIDGE_PATH) return refuse(socket, 'path');
    if (req.headers.origin !== origin || req.headers.host !== hostHeader) return refuse(socket, 'origin');
    const credential = parseBridgeCredential(req.headers['sec-websocket-protocol']);
    if (credential === null) return refuse(socket, 'no-credential');
    const verdict = auth.check(credential);
    if (!verdict.ok) return refuse(socket, verdict.reason);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const previous = current;
      current = ws;
      if (previous) previous.terminate();
      log.info('host.renderer-connected', { via: verdict.via, replaced: previous !== null });
      if (verdict.via === 'launch') send(ws, { type: 'session', key: verdict.session });
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        if (current === ws) current = null;
      });
      ws.on('message', (data) => {
        if (current !== ws) return;
        const r = parseBridgeRequest(String(data));
        if (r === null) return send(ws, { type: 'error', code: 'KIOSK_BAD_INTENT' });
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
    launchUrl: () => `${origin}/#${BRIDGE_LAUNCH_FRAGMENT}=${auth.mintLaunch()}`,
    async close() {
      offView();
      offEnd();
      current?.terminate();
      current = null;
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
