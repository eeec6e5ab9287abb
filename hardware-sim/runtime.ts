import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SimContext, SimDevice } from './core/device.js';
import { SimEventLog } from './core/events.js';
import { createPanelApp, startPanel } from './panel/server.js';
import { createDevices } from './devices.js';

export interface SimulatorOptions {
  stateDir: string;
  panelPort?: number;
  devices?: SimDevice[];
  page?: () => string;
}

export interface RunningSimulator {
  /** The `npm run sim` JSON line: port paths and the panel URL. */
  info: Record<string, string>;
  devices: SimDevice[];
  events: SimEventLog;
  stop(): Promise<void>;
}

/** Starts every simulated device and the control panel. Used by `npm run sim`, `npm start` and tests. */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  mkdirSync(options.stateDir, { recursive: true });
  const events = new SimEventLog();
  const ctx: SimContext = { stateDir: options.stateDir, portsDir: join(options.stateDir, 'ports'), events };
  const devices = options.devices ?? createDevices();
  const info: Record<string, string> = {};
  const started: SimDevice[] = [];
  try {
    for (const d of devices) {
      Object.assign(info, await d.start(ctx));
      started.push(d);
    }
  } catch (err) {
    for (const d of started.reverse()) await d.stop().catch(() => undefined);
    throw err;
  }
  const app = createPanelApp({ devices, events, ...(options.page ? { page: options.page } : {}) });
  let panel;
  try {
    panel = await startPanel(app, { port: options.panelPort ?? 0, simulatedDevices: Object.values(info) });
  } catch (err) {
    for (const d of [...devices].reverse()) await d.stop().catch(() => undefined);
    throw err;
  }
  info['panel'] = panel.url;
  return {
    info,
    devices,
    events,
    async stop() {
      await panel.close();
      for (const d of [...devices].reverse()) await d.stop().catch(() => undefined);
    },
  };
}
