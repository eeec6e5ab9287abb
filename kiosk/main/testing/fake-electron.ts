import { EventEmitter } from 'node:events';

/**
 * A faithful in-memory stand-in for the parts of Electron's main-process and preload API that the kiosk uses,
 * for tests on machines where the Electron binary cannot be installed. It keeps Electron's documented
 * behaviour where the kiosk's safety depends on it (https://www.electronjs.org/docs/latest/api/):
 *
 * - `protocol.registerSchemesAsPrivileged` only before `app` is ready; `protocol.handle` serves a scheme's
 *   requests with a web `Request` → `Response` function; a request to a scheme with no handler fails.
 * - Every request a page makes, its first load included, passes `session.webRequest.onBeforeRequest` first
 *   (a `{ cancel: true }` callback blocks it).
 * - A navigation the page starts emits `will-navigate` on its `webContents`; `preventDefault()` stops it.
 *   `window.open` asks the handler of `setWindowOpenHandler` (no handler = allowed); `will-attach-webview`,
 *   `will-redirect` and the session's `will-download` can be prevented the same way.
 * - Permission requests go to `setPermissionRequestHandler` (no handler = granted), checks to
 *   `setPermissionCheckHandler`, device pickers to `setDevicePermissionHandler`.
 * - `ipcMain.handle` refuses a second handler for one channel; `ipcRenderer.invoke` on a channel with no
 *   handler rejects; the handler's event carries `sender` (the page's `webContents`) and `senderFrame.url`.
 * - `contextBridge.exposeInMainWorld` refuses to overwrite an existing global.
 *
 * Pages are simulated by `FakeWebContents`'s `page*` methods (what a hostile or buggy renderer could try).
 */

/** Electron's event object: `preventDefault()` and whether it was called. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export type PermissionRequestHandler = (
  webContents: FakeWebContents,
  permission: string,
  callback: (granted: boolean) => void,
) => void;

interface BeforeRequestDetails {
  url: string;
  method: string;
  resourceType: string;
}

export class FakeSession extends EventEmitter {
  private beforeRequest: ((d: BeforeRequestDetails, cb: (r: { cancel?: boolean }) => void) => void) | null =
    null;
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler:
    ((wc: FakeWebContents | null, permission: string, origin: string) => boolean) | null = null;
  devicePermissionHandler: ((details: { deviceType: string; origin: string }) => boolean) | null = null;

  readonly webRequest = {
    onBeforeRequest: (
      filter: { urls: string[] },
      listener: (d: BeforeRequestDetails, cb: (r: { cancel?: boolean }) => void) => void,
    ) => {
      if (!filter.urls.includes('<all_urls>')) throw new Error('fake: only <all_urls> filters are modelled');
      this.beforeRequest = listener;
    },
  };

  setPermissionRequestHandler(h: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = h;
  }
  setDevicePermissionHandler(h: FakeSession['devicePermissionHandler']): void {
    this.devicePermissionHandler = h;
  }

  /** Runs a request through `onBeforeRequest`; true when it may go ahead. */
  async allows(url: string, resourceType = 'mainFrame'): Promise<boolean> {
    const listener = this.beforeRequest;
    if (!listener) return true;
    return new Promise((resolve) =>
      listener({ url, method: 'GET', resourceType }, (r) => resolve(r.cancel !== true)),
    );
  }
}

export class FakeWebContents extends EventEmitter {
  private static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  url = '';
  destroyed = false;
  devToolsOpened = false;
  reloads = 0;
  windowOpenHandler: ((d: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  /** Messages sent to the page with `send`. */
  readonly sent: { channel: string; args: unknown[] }[] = [];
  /** Bodies and headers the page received from loads. */
  readonly loads: { url: string; status: number; headers: Headers; body: string }[] = [];

  constructor(
    readonly electron: FakeElectron,
    readonly session: FakeSession,
    readonly webPreferences: Record<string, unknown>,
  ) {
    super();
  }

  setWindowOpenHandler(h: (d: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = h;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args: structuredClone(args) });
  }
  reloadIgnoringCache(): void {
    this.reloads++;
    void this.load(this.url);
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  openDevTools(): void {
    if (this.webPreferences['devTools'] === false) return;
    this.devToolsOpened = true;
    this.emit('devtools-opened');
  }
  closeDevTools(): void {
    this.devToolsOpened = false;
  }

  /** A load (the first `loadURL`, a reload): webRequest first, then the scheme's handler. */
  async load(url: string): Promise<void> {
    if (!(await this.session.allows(url))) {
      this.loads.push({ url, status: 0, headers: new Headers(), body: 'ERR_BLOCKED_BY_CLIENT' });
      return;
    }
    let res: Response;
    try {
      res = await this.electron.fetchScheme(url);
    } catch (err) {
      // Electron reports a failed load as an event, not as an exception in the main process.
      this.loads.push({ url, status: 0, headers: new Headers(), body: String(err) });
      this.emit('did-fail-load', new FakeEvent(), -302, String(err), url);
      return;
    }
    this.loads.push({ url, status: res.status, headers: res.headers, body: await res.text() });
    this.url = url;
  }

  // What a page can try ---------------------------------------------------------------------------------------

  /** The page navigates itself (a link, `location = …`): true when it went ahead. */
  pageNavigate(url: string): boolean {
    const e = new FakeEvent();
    this.emit('will-navigate', e, url);
    if (!e.defaultPrevented) this.url = url;
    return !e.defaultPrevented;
  }
  /** The server redirects a load: true when the redirect went ahead. */
  pageRedirect(url: string): boolean {
    const e = new FakeEvent();
    this.emit('will-redirect', e, url);
    return !e.defaultPrevented;
  }
  /** `window.open(url)`: the new window's contents, or null when denied. */
  pageOpenWindow(url: string): FakeWebContents | null {
    const action = this.windowOpenHandler?.({ url }).action ?? 'allow';
    if (action === 'deny') return null;
    const child = new FakeWebContents(this.electron, this.session, this.webPreferences);
    this.electron.app.emit('web-contents-created', new FakeEvent(), child);
    child.url = url;
    return child;
  }
  /** A `<webview>` in the page: true when it was attached. */
  pageAttachWebview(src: string): boolean {
    const e = new FakeEvent();
    this.emit('will-attach-webview', e, { nodeIntegration: true }, { src });
    return !e.defaultPrevented;
  }
  /** A subresource or `fetch`: true when it may go ahead. */
  pageRequest(url: string, resourceType = 'xhr'): Promise<boolean> {
    return this.session.allows(url, resourceType);
  }
  /** A permission prompt (camera, geolocation, HID…): whether it was granted. */
  pageRequestPermission(permission: string): Promise<boolean> {
    const h = this.session.permissionRequestHandler;
    if (!h) return Promise.resolve(true);
    return new Promise((resolve) => h(this, permission, resolve));
  }
  pageCheckPermission(permission: string): boolean {
    return (
      this.session.permissionCheckHandler?.(this, permission, new URL(this.url || 'app://kiosk/').origin) ??
      true
    );
  }
  pageRequestDevice(deviceType: string): boolean {
    return this.session.devicePermissionHandler?.({ deviceType, origin: this.url }) ?? false;
  }
  /** A download the page starts: true when it went ahead. */
  pageDownload(url: string): boolean {
    const e = new FakeEvent();
    this.session.emit('will-download', e, { getURL: () => url }, this);
    return !e.defaultPrevented;
  }
  /** An `ipcRenderer` for a preload running in this page, in the frame at `frameUrl`. */
  ipcRenderer(frameUrl = this.url): FakeIpcRenderer {
    return new FakeIpcRenderer(this.electron, this, frameUrl);
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly all: FakeBrowserWindow[] = [];
  readonly webContents: FakeWebContents;
  visible = false;
  destroyed = false;

  constructor(
    readonly electron: FakeElectron,
    readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> },
  ) {
    super();
    if (!electron.app.ready) throw new Error('Cannot create BrowserWindow before app is ready');
    this.webContents = new FakeWebContents(
      electron,
      electron.session.defaultSession,
      options.webPreferences ?? {},
    );
    electron.windows.push(this);
    electron.app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    await this.webContents.load(url);
    this.emit('ready-to-show');
  }
  show(): void {
    this.visible = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
  }
}

export class FakeIpcRenderer extends EventEmitter {
  constructor(
    private readonly electron: FakeElectron,
    readonly webContents: FakeWebContents,
    private readonly frameUrl: string,
  ) {
    super();
    // Messages the main process sends to this page reach its preload's `ipcRenderer.on` listeners.
    const send = webContents.send.bind(webContents);
    webContents.send = (channel: string, ...args: unknown[]) => {
      send(channel, ...args);
      this.emit(channel, { sender: this }, ...structuredClone(args));
    };
  }
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.electron.ipcHandlers.get(channel);
    if (!handler)
      throw new Error(`Error invoking remote method '${channel}': No handler registered for '${channel}'`);
    const event = { sender: this.webContents, senderFrame: { url: this.frameUrl }, processId: 1, frameId: 1 };
    // Arguments and results are copied with the structured clone algorithm, as over real IPC.
    return structuredClone(await handler(event, ...structuredClone(args)));
  }
}

type IpcHandler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeApp extends EventEmitter {
  ready = false;
  quitCalls = 0;
  singleInstanceLockHeld = false;
  /** Whether another instance already holds the lock (what `requestSingleInstanceLock` then answers). */
  otherInstanceRunning = false;
  private readyWaiters: (() => void)[] = [];

  requestSingleInstanceLock(): boolean {
    if (this.otherInstanceRunning) return false;
    this.singleInstanceLockHeld = true;
    return true;
  }
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }
  isReady(): boolean {
    return this.ready;
  }
  /** The test drives the lifecycle: Electron emits `ready` once its initialisation is done. */
  becomeReady(): void {
    this.ready = true;
    this.emit('ready');
    for (const w of this.readyWaiters.splice(0)) w();
  }
  exitCode: number | null = null;
  /** Exits at once with the code: no `before-quit`, no waiting for windows. */
  exit(code = 0): void {
    this.exitCode = code;
  }
  /** Emits `before-quit` (cancellable) and, unless prevented, quits. */
  quit(): void {
    this.quitCalls++;
    const e = new FakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.emit('quit');
  }
}

/** One fake Electron: the module's exports plus the recorded state the tests inspect. */
export class FakeElectron {
  readonly app = new FakeApp();
  readonly windows: FakeBrowserWindow[] = [];
  readonly ipcHandlers = new Map<string, IpcHandler>();
  readonly privilegedSchemes: { scheme: string; privileges: Record<string, boolean> }[] = [];
  readonly schemeHandlers = new Map<string, (req: Request) => Response | Promise<Response>>();
  /** What the preload exposed to the page (`contextBridge.exposeInMainWorld`). */
  readonly mainWorld: Record<string, unknown> = {};
  readonly session: { defaultSession: FakeSession } = { defaultSession: new FakeSession() };

  readonly protocol = {
    registerSchemesAsPrivileged: (schemes: { scheme: string; privileges: Record<string, boolean> }[]) => {
      if (this.app.ready)
        throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
      this.privilegedSchemes.push(...schemes);
    },
    handle: (scheme: string, handler: (req: Request) => Response | Promise<Response>) => {
      if (this.schemeHandlers.has(scheme)) throw new Error(`The scheme has been handled: ${scheme}`);
      this.schemeHandlers.set(scheme, handler);
    },
  };

  readonly ipcMain = {
    handle: (channel: string, handler: IpcHandler) => {
      if (this.ipcHandlers.has(channel))
        throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.ipcHandlers.set(channel, handler);
    },
    removeHandler: (channel: string) => {
      this.ipcHandlers.delete(channel);
    },
  };

  readonly contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => {
      if (key in this.mainWorld)
        throw new Error(`Cannot bind an API on top of an existing property on the window object`);
      this.mainWorld[key] = api;
    },
  };

  /**
   * Back to a freshly started Electron, for a test that loads the main entry afresh.
   */
  reset(): void {
    this.app.removeAllListeners();
    Object.assign(this.app, {
      ready: false,
      quitCalls: 0,
      singleInstanceLockHeld: false,
      otherInstanceRunning: false,
      exitCode: null,
    });
    this.windows.length = 0;
    this.ipcHandlers.clear();
    this.privilegedSchemes.length = 0;
    this.schemeHandlers.clear();
    for (const k of Object.keys(this.mainWorld)) delete this.mainWorld[k];
    this.session.defaultSession = new FakeSession();
  }

  /** The module object to hand to `vi.mock('electron', …)`. */
  module(ipcRenderer?: FakeIpcRenderer): Record<string, unknown> {
    const make = (options: Record<string, unknown>) => new FakeBrowserWindow(this, options);
    // `new BrowserWindow(options)` as in Electron: a class bound to this fake.
    const BrowserWindow = function (this: unknown, options: Record<string, unknown>) {
      return make(options);
    } as unknown as new (options: Record<string, unknown>) => FakeBrowserWindow;
    return {
      app: this.app,
      BrowserWindow,
      session: this.session,
      protocol: this.protocol,
      ipcMain: this.ipcMain,
      contextBridge: this.contextBridge,
      ipcRenderer,
    };
  }

  /** A request on a registered scheme, as Chromium would make it (unknown scheme: a network error). */
  async fetchScheme(url: string): Promise<Response> {
    const scheme = new URL(url).protocol.replace(/:$/, '');
    const handler = this.schemeHandlers.get(scheme);
    if (!handler) throw new Error(`net::ERR_UNKNOWN_URL_SCHEME ${url}`);
    return handler(new Request(url));
  }
}

const KEY = Symbol.for('kiosk.test.fake-electron');

/**
 * The fake of this test file, created on first use: `vi.mock('electron', …)` and the test both call it and
 * get the same one, also after `vi.resetModules()` (which evaluates this file again), so it lives on the
 * global object of the test's worker.
 */
export function electronForTests(): FakeElectron {
  const g = globalThis as { [KEY]?: FakeElectron };
  g[KEY] ??= new FakeElectron();
  return g[KEY];
}
