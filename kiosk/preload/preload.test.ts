import { describe, expect, it, vi } from 'vitest';
import { IPC } from '../shared/ipc.js';
import type { KioskApi } from '../shared/api.js';
import type { ViewState } from '../shared/view.js';
import { electronForTests, type FakeBrowserWindow } from '../main/testing/fake-electron.js';
import { RecordingCore } from '../main/testing/fake-core.js';

// The preload runs in the kiosk page's frame: its `ipcRenderer` is that page's.
vi.mock('electron', async () => {
  const electron = (await import('../main/testing/fake-electron.js')).electronForTests();
  electron.app.becomeReady();
  const { BrowserWindow } = electron.module() as { BrowserWindow: new (o: object) => FakeBrowserWindow };
  const wc = new BrowserWindow({ webPreferences: {} }).webContents;
  wc.url = 'app://kiosk/';
  return electron.module(wc.ipcRenderer('app://kiosk/'));
});

const electron = electronForTests();
const { connectWindow } = await import('../main/ipc.js');
await import('./preload.js');

describe('the preload: one frozen API object, intention-named, no ipcRenderer', () => {
  it('exposes exactly one global, `kiosk`, frozen, with no way to reach IPC itself', () => {
    expect(Object.keys(electron.mainWorld)).toEqual(['kiosk']);
    const api = electron.mainWorld['kiosk'] as Record<string, unknown>;
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.keys(api).sort()).toEqual(
      [
        'activity',
        'cancel',
        'chooseCertType',
        'chooseCopies',
        'chooseMunicipality',
        'chooseService',
        'confirm',
        'done',
        'getState',
        'onState',
        'refund',
        'retryPrint',
        'startTransaction',
      ].sort(),
    );
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|invoke|send|channel|require|electron/i);
  });

  it('turns each method into one intent over IPC and views from main into onState calls', async () => {
    const win = electron.windows[0]!;
    const core = new RecordingCore();
    const disconnect = connectWindow(core, win as never);
    const api = electron.mainWorld['kiosk'] as KioskApi;
    await api.startTransaction();
    await api.chooseMunicipality('131016');
    await api.chooseCopies(2);
    await api.confirm();
    expect(core.intents).toEqual([
      { type: 'start' },
      { type: 'choose-municipality', code: '131016' },
      { type: 'choose-copies', copies: 2 },
      { type: 'confirm' },
    ]);
    expect(await api.getState()).toEqual(core.view);

    const seen: ViewState[] = [];
    const off = api.onState((v) => seen.push(v));
    core.showView({ screen: 'menu', seq: 5, idleDeadline: null });
    off();
    core.showView({ screen: 'place-card', seq: 6, idleDeadline: null });
    expect(seen).toEqual([{ screen: 'menu', seq: 5, idleDeadline: null }]);
    expect(win.webContents.sent.map((m) => m.channel)).toEqual([IPC.view, IPC.view]);
    disconnect();
  });
});
