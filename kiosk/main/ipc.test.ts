import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC } from '../shared/ipc.js';
import { electronForTests, type FakeBrowserWindow, type FakeWebContents } from './testing/fake-electron.js';
import { RecordingCore } from './testing/fake-core.js';

vi.mock('electron', async () => (await import('./testing/fake-electron.js')).electronForTests().module());

const { connectWindow } = await import('./ipc.js');
const electron = electronForTests();
const { BrowserWindow } = electron.module() as { BrowserWindow: new (o: object) => FakeBrowserWindow };

beforeAll(() => electron.app.becomeReady());

function setup() {
  const core = new RecordingCore();
  const win = new BrowserWindow({ webPreferences: {} });
  const wc: FakeWebContents = win.webContents;
  wc.url = 'app://kiosk/';
  const disconnect = connectWindow(core, win as never);
  return { core, win, wc, disconnect };
}

describe('connectWindow: intents in only from our page, views out, a reload after every transaction', () => {
  it('passes intents from the kiosk page’s own frame to the core and answers with its result', async () => {
    const { core, wc, disconnect } = setup();
    const ipc = wc.ipcRenderer('app://kiosk/');
    expect(await ipc.invoke(IPC.intent, { type: 'start' })).toEqual({ ok: true });
    expect(core.intents).toEqual([{ type: 'start' }]);
    expect(await ipc.invoke(IPC.state)).toEqual(core.view);
    disconnect();
  });

  it('refuses intents and state from another window, a foreign frame or a look-alike origin', async () => {
    const { core, wc, disconnect } = setup();
    const other = new BrowserWindow({ webPreferences: {} }).webContents;
    const senders = [
      other.ipcRenderer('app://kiosk/'),
      wc.ipcRenderer('https://example.com/'),
      wc.ipcRenderer('app://kiosk.evil/'),
      wc.ipcRenderer('app://kiosk'),
      wc.ipcRenderer(''),
    ];
    for (const ipc of senders) {
      expect(await ipc.invoke(IPC.intent, { type: 'start' })).toEqual({
        ok: false,
        code: 'KIOSK_BAD_INTENT',
      });
      expect(await ipc.invoke(IPC.state)).toBeNull();
    }
    expect(core.intents).toEqual([]);
    disconnect();
  });

  it('hands whatever the page sends to the core as it is, for the core to parse (no trust in its shape)', async () => {
    const { core, wc, disconnect } = setup();
    const ipc = wc.ipcRenderer();
    await ipc.invoke(IPC.intent, { type: 'choose-copies', copies: '9'.repeat(400), extra: { nested: [1] } });
    expect(core.intents).toEqual([
      { type: 'choose-copies', copies: '9'.repeat(400), extra: { nested: [1] } },
    ]);
    disconnect();
  });

  it('sends every view to the window, and stops once the window is gone', () => {
    const { core, win, wc, disconnect } = setup();
    core.showView({ screen: 'place-card', seq: 2, idleDeadline: null });
    expect(wc.sent).toEqual([
      { channel: IPC.view, args: [{ screen: 'place-card', seq: 2, idleDeadline: null }] },
    ]);
    win.destroy();
    expect(() => core.showView({ screen: 'menu', seq: 3, idleDeadline: null })).not.toThrow();
    expect(wc.sent).toHaveLength(1);
    disconnect();
  });

  it('reloads the renderer after every transaction so the page holds nothing of the resident', () => {
    const { core, wc, disconnect } = setup();
    core.endTransaction();
    core.endTransaction();
    expect(wc.reloads).toBe(2);
    disconnect();
  });

  it('disconnect removes both handlers and every listener (a new window can connect again)', async () => {
    const { core, wc, disconnect } = setup();
    disconnect();
    expect(core.listenerCount()).toBe(0);
    await expect(wc.ipcRenderer().invoke(IPC.intent, { type: 'start' })).rejects.toThrow(
      /No handler registered/,
    );
    const again = setup();
    again.disconnect();
  });

  it('cannot be connected twice at once (Electron refuses a second handler for a channel)', () => {
    const first = setup();
    expect(() => setup()).toThrow(/second handler/);
    first.disconnect();
  });
});
