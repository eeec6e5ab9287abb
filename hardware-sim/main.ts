import { join } from 'node:path';
import { startSimulator } from './runtime.js';
import { loadPanelPage } from './panel/page.js';

/**
 * `npm run sim`: starts the hardware simulators and the control panel, then prints one JSON line with the
 * host-side port paths and the panel URL as the first line on stdout. Logs go to stderr. Ctrl-C stops it.
 */
const stateDir = process.env['SIM_STATE_DIR'] ?? join(process.cwd(), '.state', 'sim');
const panelPort = Number(process.env['SIM_PANEL_PORT'] ?? 0);

const sim = await startSimulator({ stateDir, panelPort, page: loadPanelPage });
process.stdout.write(JSON.stringify(sim.info) + '\n');
sim.events.subscribe((e) =>
  process.stderr.write(`[sim] ${e.device} ${e.event}${e.detail ? ' ' + JSON.stringify(e.detail) : ''}\n`),
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
