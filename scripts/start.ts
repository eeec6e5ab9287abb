import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLaunchFile } from '../kiosk/host/index.js';
import { buildElectronApp } from '../kiosk/main/electron-build.js';
import { installedElectron } from '../kiosk/main/electron-detect.js';
import { startBackendOnly, startSystem, type SystemUrls } from './system.js';

/**
 * `npm start`: the whole system on simulated hardware, all on loopback. The FIRST line on stdout is one JSON
 * object with the URLs (`kiosk`, `panel`, `relay`, `jwks`, `dashboard`); logs follow on stderr. Ctrl-C stops everything.
 *
 * Where Electron is installed (`npm run setup:electron`), the kiosk runs in an Electron window (its own main
 * process owns the devices and the relay link). Otherwise the same renderer is served on loopback with the
 * preload API bridged to the kiosk core in this process: open the printed `kiosk` URL (it carries a one-time
 * secret: it opens the kiosk once, in one window; press Enter here for a new one), or pass `--open` to launch
 * Chromium in app mode (handed its URL through a private file, never its command line); `--browser` forces
 * this mode. Environment: KIOSK_STATE_DIR (default ./.state), KIOSK_PORT, SIM_PANEL_PORT.
 */
const stateDir = process.env['KIOSK_STATE_DIR'] ?? join(process.cwd(), '.state');
const open = process.argv.includes('--open');
const electron = process.argv.includes('--browser') ? null : installedElectron();
const ports = {
  kiosk: Number(process.env['KIOSK_PORT'] ?? 0),
  panel: Number(process.env['SIM_PANEL_PORT'] ?? 0),
};

const children: ChildProcess[] = [];
let profile: string | null = null;
let stopSystem: () => Promise<void>;
let urls: SystemUrls;
let newLaunchUrl: (() => string) | null = null;
let dashboardFile = '';
let events: { subscribe(l: (e: { device: string; event: string; detail?: unknown }) => void): unknown };

if (electron) {
  const backend = await startBackendOnly({ stateDir, ports });
  const outDir = join(process.cwd(), 'node_modules', '.cache', 'kiosk-electron');
  const app = await buildElectronApp(outDir);
  mkdirSync(join(stateDir, 'kiosk'), { recursive: true });
  const configFile = join(stateDir, 'kiosk', 'config.json');
  writeFileSync(configFile, JSON.stringify(backend.kioskConfig, null, 2) + '\n', { mode: 0o600 });
  const win = spawn(electron, [app.main], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, KIOSK_CONFIG: configFile },
  });
  win.on('exit', (code) => process.stderr.write(`Electron exited (${String(code)})\n`));
  children.push(win);
  ({ urls, stop: stopSystem } = backend);
  dashboardFile = join(stateDir, 'relay', 'dashboard-admin.json');
  events = backend.sim.events;
} else {
  const system = await startSystem({ stateDir, ports });
  ({ urls, stop: stopSystem } = system);
  dashboardFile = system.dashboardLogin.file;
  events = system.sim.events;
  newLaunchUrl = () => system.host.launchUrl();
  if (open) {
    profile = mkdtempSync(join(tmpdir(), 'kiosk-chromium-'));
    const chromium = spawn(
      process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      [
        `--app=${writeLaunchFile(profile, system.host.launchUrl())}`,
        `--user-data-dir=${profile}`,
        '--no-first-run',
        '--disable-sync',
        '--disable-background-networking',
        '--autoplay-policy=no-user-gesture-required',
      ],
      { stdio: 'ignore' },
    );
    chromium.on('error', (err) => process.stderr.write(`could not start Chromium: ${err.message}\n`));
    children.push(chromium);
  } else urls = { ...urls, kiosk: system.host.launchUrl() };
}

process.stdout.write(JSON.stringify(urls) + '\n');
process.stderr.write(
  `Operators' dashboard: ${urls.dashboard}  (demo admin; name and password in ${dashboardFile}, 0600)\n`,
);
events.subscribe((e) =>
  process.stderr.write(`[sim] ${e.device} ${e.event}${e.detail ? ' ' + JSON.stringify(e.detail) : ''}\n`),
);
process.stderr.write(
  electron
    ? `Kiosk: Electron window. Control panel (card, PIN pad, coins, printer): ${urls.panel}\n`
    : `Kiosk: ${open ? 'Chromium window' : `${urls.kiosk} (opens once; Enter here prints a new one)`}  ` +
        `Control panel (card, PIN pad, coins, printer): ${urls.panel}\n`,
);
// A new one-time kiosk URL on Enter (the old window's session ends when the new one connects).
if (newLaunchUrl && process.stdin.isTTY) {
  const mint = newLaunchUrl;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', () => process.stderr.write(`Kiosk (new one-time URL): ${mint()}\n`));
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill();
  await stopSystem();
  if (profile) rmSync(profile, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
