import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC } from '../shared/ipc.js';
import { electronForTests, type FakeElectron, type FakeWebContents } from './testing/fake-electron.js';
import type * as Relay from './relay.js';
import type * as Runtime from './runtime.js';

/**
 * The Electron main entry (`electron-main.ts`) against a faithful fake of Electron: it runs on import, as in
 * the bundle, so every case loads it afresh. The devices and the relay line are replaced by recorders (their
 * own tests cover them); the renderer's assets are the real bundle.
 */
interface Calls {
  runtime: unknown[];
  relay: { url: string }[];
  stopped: string[];
}
const calls = vi.hoisted((): Calls => ({ runtime: [], relay: [], stopped: [] }));

vi.mock('electron', async () => (await import('./testing/fake-electron.js')).electronForTests().module());
vi.mock('./runtime.js', async (importOriginal) => {
  const { RecordingCore } = await import('./testing/fake-core.js');
  return {
    ...(await importOriginal<typeof Runtime>()),
    startKioskRuntime: (config: unknown) => {
      calls.runtime.push(config);
      // Every member of the real runtime (a new one fails the type check here, not at run time).
      const runtime = {
        flow: new RecordingCore(),
        health: () => ({}),
        onHealthChange: () => () => undefined,
        cash: () => ({ hoppers: [], noteValidator: 'absent' }),
        stop: () => Promise.resolve(void calls.stopped.push('runtime')),
      } satisfies Record<keyof Runtime.KioskRuntime<unknown>, unknown>;
      return Promise.resolve(runtime);
    },
  };
});
vi.mock('./relay.js', () => ({
  startKioskRelay: (options: { url: string }) => {
    calls.relay.push({ url: options.url });
    return {
      port: {},
      setHealth: () => undefined,
      client: {
        kioskId: 'kiosk-under-test',
        reportHealth: () => undefined,
        stop: () => Promise.resolve(void calls.stopped.push('relay')),
      },
    } satisfies Record<keyof Relay.KioskRelay, unknown>;
  },
}));

const dir = mkdtempSync(join(tmpdir(), 'kiosk-electron-main-'));
const key = 'A'.repeat(43);
const device = '/dev/null';

const fake = electronForTests();

async function load(setup: (e: FakeElectron) => void): Promise<FakeElectron> {
  vi.resetModules();
  fake.reset();
  const electron = fake;
  setup(electron);
  await import('./electron-main.js');
  return electron;
}

beforeEach(() => {
  calls.runtime.length = 0;
  calls.relay.length = 0;
  calls.stopped.length = 0;
  delete process.env['KIOSK_CONFIG'];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Electron main process', () => {
  it('quits at once when another kiosk instance holds the single-instance lock', async () => {
    const electron = await load((e) => (e.app.otherInstanceRunning = true));
    expect(electron.app.quitCalls).toBe(1);
    electron.app.becomeReady();
    expect(electron.windows).toHaveLength(0);
    expect(calls.runtime).toHaveLength(0);
  });

  it('starts the core, serves app://, opens one locked-down window wired to it, and stops cleanly on quit', async () => {
    const configFile = join(dir, 'kiosk.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        devices: { reader: device, printer: device, pinpad: device, coinAcceptor: device, hopper: device },
        relay: { url: 'ws://127.0.0.1:9/kiosk', publicKey: key },
        vrsBoxPublicKey: key,
        identityDir: join(dir, 'identity'),
        appRoot: process.cwd(),
      }),
    );
    process.env['KIOSK_CONFIG'] = configFile;
    const electron = await load(() => undefined);
    // The scheme is privileged before ready, as Electron requires.
    expect(electron.privilegedSchemes.map((s) => s.scheme)).toEqual(['app']);
    electron.app.becomeReady();
    await vi.waitFor(() => expect(electron.windows[0]?.visible).toBe(true), { timeout: 60_000 });
    expect(electron.windows).toHaveLength(1);
    const win = electron.windows[0]!;
    const wc: FakeWebContents = win.webContents;
    expect(win.options).toMatchObject({ kiosk: true, fullscreen: true }); // production by default
    expect(wc.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
    expect(String(wc.webPreferences['preload'])).toMatch(/preload\.cjs$/);
    expect(wc.loads[0]).toMatchObject({ url: 'app://kiosk/', status: 200 });
    expect(wc.loads[0]!.body).toContain('<script');
    expect(calls.relay).toEqual([{ url: 'ws://127.0.0.1:9/kiosk' }]);
    expect(calls.runtime).toHaveLength(1);

    // The page's intents reach the core over IPC.
    expect(await wc.ipcRenderer('app://kiosk/').invoke(IPC.intent, { type: 'start' })).toEqual({ ok: true });

    // Quit: the first is held back until the devices and the relay line are stopped, then it goes through.
    let quit = false;
    electron.app.on('quit', () => (quit = true));
    electron.app.quit();
    expect(quit).toBe(false);
    await vi.waitFor(() => expect(quit).toBe(true));
    expect(calls.stopped.sort()).toEqual(['relay', 'runtime']);
    await expect(wc.ipcRenderer('app://kiosk/').invoke(IPC.intent, { type: 'start' })).rejects.toThrow(
      /No handler registered/,
    );
  });

  it('exits with status 1 (no window left hanging) when its configuration is missing or invalid', async () => {
    const missing = await load(() => undefined);
    missing.app.becomeReady();
    await vi.waitFor(() => expect(missing.app.exitCode).toBe(1));
    expect(missing.windows).toHaveLength(0);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ devices: {}, relay: { url: 'http://x', publicKey: 'short' } }));
    process.env['KIOSK_CONFIG'] = bad;
    const invalid = await load(() => undefined);
    invalid.app.becomeReady();
    await vi.waitFor(() => expect(invalid.app.exitCode).toBe(1));
    expect(invalid.windows).toHaveLength(0);
    expect(calls.runtime).toHaveLength(0);
  });
});
