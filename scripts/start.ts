import { join } from 'node:path';
import { startSimulator } from '../hardware-sim/runtime.js';
import { loadPanelPage } from '../hardware-sim/panel/page.js';

/**
 * `npm start`: runs the whole system on simulated hardware, all on loopback, and prints one JSON line with
 * the URLs first, then human-readable logs on stderr. It grows as the components land (issue 7 completes it).
 */
const stateDir = process.env['KIOSK_STATE_DIR'] ?? join(process.cwd(), '.state');
const sim = await startSimulator({ stateDir: join(stateDir, 'sim'), page: loadPanelPage });
process.stdout.write(JSON.stringify({ panel: sim.info['panel'] }) + '\n');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
