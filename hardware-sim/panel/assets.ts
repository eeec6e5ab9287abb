import type { Hono } from 'hono';
import { readFileSync } from 'node:fs';

const read = (name: string) => readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8');

/** Serves the panel page's script and stylesheet (plain files, no build step) from `panel/static/`. */
export function panelAssetRoutes(app: Hono): void {
  const js = read('panel.js');
  const css = read('panel.css');
  app.get('/panel/panel.js', (c) =>
    c.body(js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }),
  );
  app.get('/panel/panel.css', (c) =>
    c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-store' }),
  );
}
