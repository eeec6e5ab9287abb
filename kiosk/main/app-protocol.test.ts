import { describe, expect, it, vi } from 'vitest';
import { electronForTests } from './testing/fake-electron.js';

vi.mock('electron', async () => (await import('./testing/fake-electron.js')).electronForTests().module());

const { registerAppScheme, serveAppScheme } = await import('./app-protocol.js');
const fake = electronForTests();

describe('the app:// scheme (against a faithful fake of Electron)', () => {
  it('is registered before ready as standard and secure, with no fetch, CORS, CSP-bypass or streaming privilege', () => {
    registerAppScheme();
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    fake.app.becomeReady();
    // Electron only honours the registration before ready; calling it later is a programming error.
    expect(() => registerAppScheme()).toThrow(/before app is ready/);
  });

  it('serves the renderer’s files from memory with a CSP that allows no network, and nothing else', async () => {
    serveAppScheme(
      new Map([
        ['/', { type: 'text/html; charset=utf-8', body: Buffer.from('<!doctype html><title>k</title>') }],
        ['/main.js', { type: 'text/javascript', body: Buffer.from('void 0;') }],
      ]),
    );
    const page = await fake.fetchScheme('app://kiosk/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.text()).toContain('<title>k</title>');
    expect((await fake.fetchScheme('app://kiosk/main.js')).status).toBe(200);
  });

  it('answers 404 for any other host, path, traversal or font name', async () => {
    for (const url of [
      'app://kiosk/missing.js',
      'app://other/',
      'app://other/main.js',
      'app://kiosk/fonts/files/../../../package.json',
      'app://kiosk/fonts/files/evil.woff2',
      'app://kiosk/fonts/files/biz-udgothic-japanese-400-normal.woff2/../../x',
    ])
      expect((await fake.fetchScheme(url)).status, url).toBe(404);
  });

  it('serves the bundled font files by their exact names only', async () => {
    const ok = await fake.fetchScheme('app://kiosk/fonts/files/biz-udgothic-japanese-400-normal.woff2');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('font/woff2');
  });
});
