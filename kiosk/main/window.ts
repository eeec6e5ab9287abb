import { app, BrowserWindow, session, type Session } from 'electron';
import { APP_ORIGIN } from '../shared/ipc.js';

export interface KioskWindowOptions {
  preload: string;
  /** Production: full-screen kiosk mode, no devtools. */
  production: boolean;
}

/** Blocks every request that is not the app's own, and every permission. Called once per session. */
export function lockDownSession(s: Session): void {
  s.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    callback({ cancel: !details.url.startsWith(`${APP_ORIGIN}/`) });
  });
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.setDevicePermissionHandler(() => false);
  s.on('will-download', (event) => event.preventDefault());
}

/**
 * The ONE function that creates a window: sandboxed, context-isolated, no Node integration, no navigation,
 * no new windows, no webviews, no permissions, devtools only outside production.
 */
export function createKioskWindow(options: KioskWindowOptions): BrowserWindow {
  lockDownSession(session.defaultSession);
  const win = new BrowserWindow({
    show: false,
    kiosk: options.production,
    fullscreen: options.production,
    autoHideMenuBar: true,
    backgroundColor: '#000000',
    webPreferences: {
      preload: options.preload,
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
      devTools: !options.production,
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  const wc = win.webContents;
  wc.on('will-navigate', (event) => event.preventDefault());
  wc.on('will-redirect', (event) => event.preventDefault());
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  if (options.production) wc.on('devtools-opened', () => wc.closeDevTools());
  win.once('ready-to-show', () => win.show());
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
  });
  void win.loadURL(`${APP_ORIGIN}/`);
  return win;
}
