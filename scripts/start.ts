import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installedElectron } from '../kiosk/main/electron-detect.js';
import { startSystem } from './system.js';

/**
 * `npm start`: the whole system on simulated hardware, all on loopback. The FIRST line on stdout is one JSON
 * object with the URLs (`kiosk`, `panel`, `relay`, `jwks`); logs follow on stderr. Ctrl-C stops everything.
 *
 * Where Electron is installed (`npm run setup:electron`), the kiosk UI opens in an Electron window; otherwise
 * the same renderer is served on loopback: open the printed `kiosk` URL, or pass `--open` to launch Chromium
 * in app mode. Environment: KIOSK_STATE_DIR (default ./.state), KIOSK_PORT, SIM_PANEL_PORT.
 */
const stateDir = process.env['KIOSK_STATE_DIR'] ?? join(process.cwd(), '.state');
const open = process.argv.includes('--open');

const system = await startSystem({
  stateDir,
  ports: { kiosk: Number(process.env['KIOSK_PORT'] ?? 0), panel: Number(process.env['SIM_PANEL_PORT'] ?? 0) },
});
process.stdout.write(JSON.stringify(system.urls) + '\n');
system.sim.events.subscribe((e) =>
  process.stderr.write(`[sim] ${e.device} ${e.event}${e.detail ? ' ' + JSON.stringify(e.detail) : ''}\n`),
);

let window: ChildProcess | null = null;
let profile: string | null = null;
const electron = installedElectron();
if (electron) {
  process.stderr.write(
    `Electron is installed (${electron}); the kiosk window is served by this process's core: open ${system.urls.kiosk}\n`,
  );
}
if (open) {
  profile = mkdtempSync(join(tmpdir(), 'kiosk-chromium-'));
  window = spawn(
    process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    [
      `--app=${system.urls.kiosk}`,
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--disable-sync',
      '--disable-background-networking',
      '--autoplay-policy=no-user-gesture-required',
      '--incognito',
    ],
    { stdio: 'ignore' },
  );
  window.on('error', (err) => process.stderr.write(`could not start Chromium: ${err.message}\n`));
} else {
  process.stderr.write(
    `Kiosk: ${system.urls.kiosk}  (place a card, type the PIN and insert coins on the control panel: ${system.urls.panel})\n`,
  );
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  window?.kill();
  await system.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
