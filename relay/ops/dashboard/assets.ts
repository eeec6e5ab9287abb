import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  type: string;
  body: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The dashboard's Content-Security-Policy: scripts, styles and data from this origin only, no inline script
 * or style element, no framing, forms post nowhere else. (uPlot sizes its canvas through the CSSOM, which
 * `style-src` does not restrict.)
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

let cached: Promise<Map<string, Asset>> | undefined;

/**
 * The page, its script (bundled from `web/main.ts` with esbuild on first use, in memory) and styles. Built
 * once per process, when a browser first asks: relays that nobody watches never pay for it.
 */
export function dashboardAssets(): Promise<Map<string, Asset>> {
  cached ??= (async () => {
    const r = await build({
      entryPoints: [join(here, 'web', 'main.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    const js = r.outputFiles[0]?.text;
    if (js === undefined) throw new Error('esbuild produced no dashboard bundle');
    const uplotCss = readFileSync(
      join(dirname(createRequire(import.meta.url).resolve('uplot')), 'uPlot.min.css'),
      'utf8',
    );
    const m = new Map<string, Asset>();
    m.set('/', {
      type: 'text/html; charset=utf-8',
      body: readFileSync(join(here, 'web', 'index.html'), 'utf8'),
    });
    m.set('/dash/app.js', { type: 'text/javascript; charset=utf-8', body: js });
    m.set('/dash/app.css', {
      type: 'text/css; charset=utf-8',
      body: readFileSync(join(here, 'web', 'app.css'), 'utf8') + '\n' + uplotCss,
    });
    return m;
  })();
  cached.catch(() => (cached = undefined));
  return cached;
}
