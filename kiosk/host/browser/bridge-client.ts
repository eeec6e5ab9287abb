import { createKioskApi, KIOSK_API_GLOBAL } from '../../shared/api.js';
import type { Intent, IntentResult } from '../../shared/intents.js';
import type { ViewState } from '../../shared/view.js';
import type { BridgeEvent } from '../bridge-protocol.js';
import {
  BRIDGE_LAUNCH_FRAGMENT,
  BRIDGE_LAUNCH_PREFIX,
  BRIDGE_PATH,
  BRIDGE_PROTOCOL,
  BRIDGE_SESSION_PREFIX,
} from '../bridge-protocol.js';

/**
 * Browser side of the loopback bridge: defines `window.kiosk` (the same API the Electron preload exposes) over
 * a WebSocket to the page's own origin. Bundled as `bridge.js`.
 *
 * Authentication: the window the kiosk opened was given `#launch=<secret>` (one use). The page strips it from
 * the address at once, presents it in the upgrade, and keeps the session secret the host answers with in
 * `sessionStorage` (this tab only) to reconnect after the reload that ends each transaction. A page without
 * a valid secret is refused: it marks `<html data-bridge="refused">` and the UI stays "unavailable".
 */
const SESSION_STORAGE_KEY = 'kiosk.bridge.session';
const listeners = new Set<(v: ViewState) => void>();
const pending = new Map<number, (r: unknown) => void>();
let nextId = 1;
let socket: WebSocket | null = null;
let ready: Promise<WebSocket>;

function takeLaunchSecret(): string | null {
  const m = new RegExp(`^#${BRIDGE_LAUNCH_FRAGMENT}=([A-Za-z0-9_-]{43})$`).exec(location.hash);
  if (location.hash !== '') history.replaceState(null, '', location.pathname + location.search);
  return m?.[1] ?? null;
}

let launch = takeLaunchSecret();
if (launch !== null) sessionStorage.removeItem(SESSION_STORAGE_KEY);

function credential(): string | null {
  if (launch !== null) return BRIDGE_LAUNCH_PREFIX + launch;
  const session = sessionStorage.getItem(SESSION_STORAGE_KEY);
  return session === null ? null : BRIDGE_SESSION_PREFIX + session;
}

function refused(): void {
  document.documentElement.dataset['bridge'] = 'refused';
}

function connect(): Promise<WebSocket> {
  return new Promise((resolve) => {
    const cred = credential();
    if (cred === null) return refused();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${BRIDGE_PATH}`;
    const ws = new WebSocket(url, [BRIDGE_PROTOCOL, cred]);
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      launch = null;
      socket = ws;
      document.documentElement.dataset['bridge'] = 'connected';
      resolve(ws);
    });
    ws.addEventListener('message', (e) => {
      const msg = JSON.parse(String(e.data)) as BridgeEvent;
      if (msg.type === 'session') {
        sessionStorage.setItem(SESSION_STORAGE_KEY, msg.key);
      } else if (msg.type === 'result') {
        pending.get(msg.id)?.(msg.result);
        pending.delete(msg.id);
      } else if (msg.type === 'view') {
        for (const l of listeners) l(msg.view as ViewState);
      } else if (msg.type === 'reload') {
        location.reload();
      }
    });
    ws.addEventListener('close', () => {
      socket = null;
      // Refused (no valid secret, or another window was launched since): stop; the host logged it.
      if (!opened) return refused();
      // A dropped line: try once more with the session secret.
      setTimeout(() => {
        ready = connect();
        void ready
          .then((s) => request(s, { op: 'state' }))
          .then((v) => {
            for (const l of listeners) l(v as ViewState);
          });
      }, 1000);
    });
  });
}

function request(ws: WebSocket, body: { op: 'intent'; intent: Intent } | { op: 'state' }): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    ws.send(JSON.stringify({ ...body, id }));
  });
}

ready = connect();

const api = createKioskApi({
  intent: async (intent) =>
    request(socket ?? (await ready), { op: 'intent', intent }) as Promise<IntentResult>,
  getState: async () => request(socket ?? (await ready), { op: 'state' }) as Promise<ViewState>,
  subscribe: (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
});

Object.defineProperty(window, KIOSK_API_GLOBAL, { value: api, writable: false, configurable: false });
