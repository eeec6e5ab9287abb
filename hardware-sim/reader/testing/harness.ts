import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimEventLog } from '../../core/events.js';
import { CardReaderDevice, type CardReaderDeviceOptions } from '../device.js';

export interface ReaderHarness {
  device: CardReaderDevice;
  events: SimEventLog;
  stateDir: string;
  hostPath: string;
  stop(): Promise<void>;
}

/** Starts the emulated card reader on a fresh pty pair in a temporary state folder (for tests and benchmarks). */
export async function startReaderHarness(options: CardReaderDeviceOptions = {}): Promise<ReaderHarness> {
  const stateDir = mkdtempSync(join(tmpdir(), 'sim-reader-'));
  const events = new SimEventLog();
  const device = new CardReaderDevice(options);
  const info = await device.start({ stateDir, portsDir: join(stateDir, 'ports'), events });
  await device.prepareJpki(); // every resident's card gets its 公的個人認証AP (keys cached per process)
  return {
    device,
    events,
    stateDir,
    hostPath: info['reader']!,
    async stop() {
      try {
        await device.stop();
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
}
