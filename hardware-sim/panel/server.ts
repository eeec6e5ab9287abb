import { Hono } from 'hono';
import { CodedError } from '../../protocol/errors/index.js';
import { streamSSE } from 'hono/streaming';
import { serve, type ServerType } from '@hono/node-server';
import type { SimDevice } from '../core/device.js';
import { SimApiError } from '../core/device.js';
import type { SimEventLog } from '../core/events.js';
import { panelAssetRoutes } from './assets.js';
import { residentsRoute } from './residents-route.js';
import { registerTestPanel } from '../../common/test-panel.js';
import { guardPanelRequest, PANEL_BIND_HOSTS, panelHostNames } from './guard.js';

export interface PanelOptions {
  devices: readonly SimDevice[];
  events: SimEventLog;
  /** The control page's HTML, when the panel page exists. */
  page?: () => string;
}

/** The testers' control panel: one HTTP API (and page) on loopback, assembled from the devices' routes. */
export function createPanelApp(options: PanelOptions): Hono {
  const app = new Hono();
  app.onError((err, c) => {
    if (err instanceof SimApiError)
      return c.json({ error: { code: err.code, message: err.message } }, err.status);
    if (err instanceof SyntaxError)
      return c.json({ error: { code: 'SIM_BAD_REQUEST', message: 'body is not valid JSON' } }, 400);
    options.events.emit('panel', 'internal-error', { code: 'SIM_INTERNAL' });
    return c.json({ error: { code: 'SIM_INTERNAL', message: 'internal error' } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: 'SIM_NOT_FOUND', message: 'no such endpoint' } }, 404));
  app.get('/api/state', (c) => c.json(Object.fromEntries(options.devices.map((d) => [d.id, d.state()]))));
  app.get('/api/events', (c) => c.json(options.events.recent()));
  app.get('/api/events/stream', (c) =>
    streamSSE(c, async (stream) => {
      const unsubscribe = options.events.subscribe((e) => {
        void stream.writeSSE({ data: JSON.stringify(e), event: 'sim', id: String(e.seq) });
      });
      stream.onAbort(unsubscribe);
      while (!stream.aborted) await stream.sleep(15_000);
      unsubscribe();
    }),
  );
  for (const d of options.devices) d.routes(app);
  residentsRoute(app);
  if (options.page) {
    const page = options.page;
    panelAssetRoutes(app);
    app.get('/', (c) => c.html(page()));
  }
  return app;
}

export interface RunningPanel {
  url: string;
  close(): Promise<void>;
}

/** A panel that cannot start as asked (a bad caller: thrown). */
export class PanelStartError extends CodedError<'SIM_PANEL_NOT_LOOPBACK'> {
  constructor(message: string) {
    super('SIM_PANEL_NOT_LOOPBACK', message);
  }
}

export interface PanelListenOptions {
  /** 0 = any free port. */
  port?: number;
  /** Loopback only (`127.0.0.1`, the default, or `::1`); anything else is refused. */
  host?: string;
  /** The endpoints of the simulated devices this panel drives (see `common/test-panel.ts`). */
  simulatedDevices?: readonly string[];
}

/**
 * Serves the panel on loopback. Every request passes `guardPanelRequest` first (Host, Origin, JSON-only
 * changes); while it listens, the panel is registered as running in this process, so a kiosk started here
 * refuses real devices (`KIOSK_PANEL_WITH_REAL_DEVICES`).
 */
export async function startPanel(app: Hono, options: PanelListenOptions = {}): Promise<RunningPanel> {
  const host = options.host ?? '127.0.0.1';
  if (!(PANEL_BIND_HOSTS as readonly string[]).includes(host))
    throw new PanelStartError(`the testers' panel listens on loopback only (127.0.0.1 or ::1), not ${host}`);
  let hostNames: string[] = [];
  const guarded = (req: Request): Response | Promise<Response> => {
    const verdict = guardPanelRequest({ method: req.method, header: (n) => req.headers.get(n) }, hostNames);
    if (!verdict.ok)
      return Response.json(
        { error: { code: verdict.code, message: 'refused by the panel (Host, Origin or content type)' } },
        { status: verdict.status },
      );
    return app.fetch(req);
  };
  return new Promise((resolve, reject) => {
    const server: ServerType = serve({ fetch: guarded, port: options.port ?? 0, hostname: host }, (info) => {
      hostNames = panelHostNames(host, info.port);
      const unregister = registerTestPanel(options.simulatedDevices ?? []);
      resolve({
        url: `http://${hostNames[0]}`,
        close: () =>
          new Promise<void>((done) => {
            unregister();
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
    server.once('error', reject);
  });
}
