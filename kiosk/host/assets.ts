import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One file the renderer is served, held in memory. */
export interface Asset {
  type: string;
  body: Uint8Array | string;
}

const here = dirname(fileURLToPath(import.meta.url));
const fontDir = dirname(createRequire(import.meta.url).resolve('@fontsource/biz-udgothic/400.css'));

/** Bundles a browser entry point with esbuild, in memory (nothing written to disk). */
async function bundle(entry: string): Promise<string> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = r.outputFiles[0];
  if (!out) throw new Error(`esbuild produced no output for ${entry}`);
  return out.text;
}

/**
 * The renderer's files: the page, its script (bundled now), its styles and the BIZ UDGothic fonts.
 * `withBridge`: include `bridge.js`, which defines `window.kiosk` over the loopback WebSocket (browser mode);
 * in Electron the preload defines it and `bridge.js` is empty.
 */
export async function loadRendererAssets(withBridge: boolean, appRoot?: string): Promise<Map<string, Asset>> {
  // From a bundle (the Electron main), `import.meta.url` is the bundle: the caller names the repository root.
  const kioskDir = appRoot ? join(appRoot, 'kiosk') : join(here, '..');
  const rendererDir = join(kioskDir, 'renderer');
  const [app, bridge] = await Promise.all([
    bundle(join(rendererDir, 'main.ts')),
    withBridge ? bundle(join(kioskDir, 'host', 'browser', 'bridge-client.ts')) : Promise.resolve(''),
  ]);
  const assets = new Map<string, Asset>();
  assets.set('/', {
    type: 'text/html; charset=utf-8',
    body: readFileSync(join(rendererDir, 'index.html'), 'utf8'),
  });
  assets.set('/app.js', { type: 'text/javascript; charset=utf-8', body: app });
  assets.set('/bridge.js', { type: 'text/javascript; charset=utf-8', body: bridge });
  assets.set('/app.css', {
    type: 'text/css; charset=utf-8',
    body: readFileSync(join(rendererDir, 'app.css'), 'utf8'),
  });
  for (const weight of ['400', '700']) {
    assets.set(`/fonts/${weight}.css`, {
      type: 'text/css; charset=utf-8',
      body: readFileSync(join(fontDir, `${weight}.css`), 'utf8'),
    });
  }
  return assets;
}

/** A font file from `@fontsource/biz-udgothic/files`, by a strictly checked name; null when not there. */
export function fontAsset(name: string): Asset | null {
  if (!/^biz-udgothic-[a-z0-9-]+-(400|700)-normal\.woff2$/.test(name)) return null;
  try {
    return { type: 'font/woff2', body: readFileSync(join(fontDir, 'files', name)) };
  } catch {
    return null;
  }
}

/** The renderer's Content-Security-Policy: its own files only; `connect` only where the bridge lives. */
export function contentSecurityPolicy(connect: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "font-src 'self'",
    "img-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
