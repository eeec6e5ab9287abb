import { protocol } from 'electron';
import type { Asset } from '../host/assets.js';
import { contentSecurityPolicy, fontAsset } from '../host/assets.js';
import { APP_SCHEME } from '../shared/ipc.js';

/** Must run before `app` is ready: `app://` is a standard, secure scheme with no fetch/CORS privileges. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true } },
  ]);
}

/** Serves the renderer's in-memory assets on `app://kiosk/`, with a CSP that allows no network at all. */
export function serveAppScheme(assets: Map<string, Asset>): void {
  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    let asset: Asset | null | undefined = url.host === 'kiosk' ? assets.get(path) : undefined;
    if (!asset && path.startsWith('/fonts/files/')) asset = fontAsset(path.slice('/fonts/files/'.length));
    if (!asset) return new Response('not found', { status: 404 });
    return new Response(typeof asset.body === 'string' ? asset.body : Buffer.from(asset.body), {
      headers: {
        'content-type': asset.type,
        'content-security-policy': contentSecurityPolicy("'none'"),
        'x-content-type-options': 'nosniff',
      },
    });
  });
}
