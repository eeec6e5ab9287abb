import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  electronForTests,
  FakeEvent,
  FakeSession,
  FakeWebContents,
  type FakeBrowserWindow,
} from './testing/fake-electron.js';

vi.mock('electron', async () => (await import('./testing/fake-electron.js')).electronForTests().module());

const { createKioskWindow, lockDownSession } = await import('./window.js');
const { registerAppScheme, serveAppScheme } = await import('./app-protocol.js');

const fake = electronForTests();

beforeAll(() => {
  registerAppScheme();
  fake.app.becomeReady();
  serveAppScheme(
    new Map([['/', { type: 'text/html; charset=utf-8', body: Buffer.from('<!doctype html>') }]]),
  );
});

function openWindow(production: boolean) {
  const win = createKioskWindow({ preload: '/app/preload.cjs', production });
  const wc = win.webContents as unknown as FakeWebContents;
  return { win: win as unknown as FakeBrowserWindow, wc };
}

describe('createKioskWindow: the one window, locked down (against a faithful fake of Electron)', () => {
  it('isolates the page: sandbox, context isolation, no Node anywhere, no webviews, web security on', () => {
    const { win } = openWindow(false);
    expect(win.options.webPreferences).toEqual({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      devTools: true,
      autoplayPolicy: 'no-user-gesture-required',
    });
    expect(win.options).toMatchObject({ show: false, kiosk: false, fullscreen: false });
  });

  it('in production: kiosk mode, full screen, no devtools (and devtools that open anyway are closed)', () => {
    const { win, wc } = openWindow(true);
    expect(win.options).toMatchObject({ kiosk: true, fullscreen: true });
    expect(win.options.webPreferences?.['devTools']).toBe(false);
    wc.devToolsOpened = true;
    wc.emit('devtools-opened');
    expect(wc.devToolsOpened).toBe(false);
  });

  it('loads only its own app:// page, with the CSP, and shows the window once it is ready', async () => {
    const { win, wc } = openWindow(false);
    await vi.waitFor(() => expect(win.visible).toBe(true));
    expect(wc.getURL()).toBe('app://kiosk/');
    expect(wc.loads[0]).toMatchObject({ url: 'app://kiosk/', status: 200 });
    expect(wc.loads[0]!.headers.get('content-security-policy')).toContain("connect-src 'none'");
  });

  it('denies every navigation, redirect, new window and webview, its own origin included', () => {
    const { wc } = openWindow(false);
    for (const url of [
      'https://example.com/',
      'app://kiosk/other',
      'file:///etc/passwd',
      'javascript:alert(1)',
    ]) {
      expect(wc.pageNavigate(url), url).toBe(false);
      expect(wc.pageRedirect(url), url).toBe(false);
      expect(wc.pageOpenWindow(url), url).toBeNull();
    }
    expect(wc.pageAttachWebview('https://example.com/')).toBe(false);
  });

  it('locks down any other web contents created later (a devtools or a popup that slipped through)', () => {
    openWindow(false);
    const other = new FakeWebContents(fake, fake.session.defaultSession, {});
    fake.app.emit('web-contents-created', new FakeEvent(), other);
    expect(other.pageNavigate('https://example.com/')).toBe(false);
    expect(other.pageOpenWindow('https://example.com/')).toBeNull();
  });

  it('blocks every request that is not the app’s own origin', async () => {
    const { wc } = openWindow(false);
    expect(await wc.pageRequest('app://kiosk/main.js', 'script')).toBe(true);
    for (const url of [
      'https://example.com/x',
      'http://127.0.0.1:8080/api',
      'ws://127.0.0.1:1234/',
      'file:///etc/passwd',
      'data:text/html,hi',
      'app://kiosk.evil/',
      'app://other/',
    ])
      expect(await wc.pageRequest(url), url).toBe(false);
  });

  it('grants no permission, no device and no download', async () => {
    const { wc } = openWindow(false);
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'hid',
      'serial',
      'usb',
      'clipboard-read',
      'fullscreen',
    ])
      expect(await wc.pageRequestPermission(p), p).toBe(false);
    expect(wc.pageCheckPermission('hid')).toBe(false);
    expect(wc.pageRequestDevice('hid')).toBe(false);
    expect(wc.pageRequestDevice('usb')).toBe(false);
    expect(wc.pageDownload('app://kiosk/')).toBe(false);
  });

  it('lockDownSession works on any session it is given', async () => {
    const s = new FakeSession();
    lockDownSession(s as never);
    expect(await s.allows('https://example.com/')).toBe(false);
    expect(await s.allows('app://kiosk/')).toBe(true);
  });
});
