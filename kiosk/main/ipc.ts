import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { KioskCore } from '../host/server.js';
import { APP_ORIGIN, IPC } from '../shared/ipc.js';

/**
 * Wires the core to the window: intents in (only from our own page, parsed by the core from `unknown`),
 * views out, and a reload of the renderer after every transaction so it holds nothing.
 */
export function connectWindow(core: KioskCore, win: BrowserWindow): () => void {
  const fromUs = (e: IpcMainInvokeEvent) =>
    e.sender === win.webContents && (e.senderFrame?.url ?? '').startsWith(`${APP_ORIGIN}/`);
  ipcMain.handle(IPC.intent, (e, raw: unknown) =>
    fromUs(e) ? core.intent(raw) : { ok: false, code: 'KIOSK_BAD_INTENT' },
  );
  ipcMain.handle(IPC.state, (e) => (fromUs(e) ? core.view : null));
  const offView = core.onView((v) => {
    if (!win.isDestroyed()) win.webContents.send(IPC.view, v);
  });
  const offEnd = core.onTransactionEnd(() => {
    if (!win.isDestroyed()) win.webContents.reloadIgnoringCache();
  });
  return () => {
    offView();
    offEnd();
    ipcMain.removeHandler(IPC.intent);
    ipcMain.removeHandler(IPC.state);
  };
}
