import { createKioskApi, KIOSK_API_GLOBAL } from '../../shared/api.js';
import type { Intent, IntentResult } from '../../shared/intents.js';
import type { ViewState } from '../../shared/view.js';
import type { BridgeEvent } from '../bridge-protocol.js';
import { BRIDGE_PATH } from '../bridge-protocol.js';

/**
 * Browser side of the loopback bridge: defines `window.kiosk` (the same API the Electron preload exposes) over
 * a WebSocket to the page's own origin, reconnecting if the main process restarts. Bundled as `bridge.js`.
 */
const listeners = new Set<(v: ViewState) => void>();
const pending = new Map<number, (r: unknown) => void>();
let nextId = 1;
let socket: WebSocket | null = null;
let ready: Promise<WebSocket>;

function connect(): Promise<WebSocket> {
  return new Promise((resolve) => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${BRIDGE_PATH}`;
    const ws = new WebSocket(url);
    ws.addEventListener('open', () => {
      socket = ws;
      resolve(ws);
    });
    ws.addEventListener('message', (e) => {
      const msg = JSON.parse(String(e.data)) as BridgeEvent;
      if (msg.type === 'result') {
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
