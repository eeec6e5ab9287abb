import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { serve, type ServerType } from '@hono/node-server';
import type { SimDevice } from '../core/device.js';
import { SimApiError } from '../core/device.js';
import type { SimEventLog } from '../core/events.js';
import { panelAssetRoutes } from './assets.js';
import { residentsRoute } from './residents-route.js';

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

/** Serves the panel on 127.0.0.1 (port 0 = any free port). */
export async function startPanel(app: Hono, port = 0, host = '127.0.0.1'): Promise<RunningPanel> {
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
