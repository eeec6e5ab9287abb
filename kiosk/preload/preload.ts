import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createKioskApi, KIOSK_API_GLOBAL } from '../shared/api.js';
import type { IntentResult } from '../shared/intents.js';
import { IPC } from '../shared/ipc.js';
import type { ViewState } from '../shared/view.js';

/**
 * The preload (sandboxed, context-isolated): exposes ONE frozen API object, `window.kiosk`, with
 * intention-named methods. `ipcRenderer` itself never reaches the page. Bundled to CommonJS at start.
 */
contextBridge.exposeInMainWorld(
  KIOSK_API_GLOBAL,
  createKioskApi({
    intent: (intent) => ipcRenderer.invoke(IPC.intent, intent) as Promise<IntentResult>,
    getState: () => ipcRenderer.invoke(IPC.state) as Promise<ViewState>,
    subscribe: (listener) => {
      const handler = (_e: IpcRendererEvent, view: ViewState) => listener(view);
      ipcRenderer.on(IPC.view, handler);
      return () => void ipcRenderer.removeListener(IPC.view, handler);
    },
  }),
);
