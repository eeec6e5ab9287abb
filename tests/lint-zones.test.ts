import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

/** The import zones of docs/conventions.md §1, as enforced by eslint.config.js: a wrong import fails `npm test`. */
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').length;
}

describe('lint zones', () => {
  it.each([
    ['protocol/x.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n"],
    ['protocol/x.ts', "import { WebSocket } from 'ws';\nexport const f = WebSocket;\n"],
    ['protocol/x.ts', "import { openDb } from '../common/db.js';\nexport const f = openDb;\n"],
    ['kiosk/renderer/x.ts', "import { ipcRenderer } from 'electron';\nexport const f = ipcRenderer;\n"],
    ['kiosk/renderer/x.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n"],
    [
      'kiosk/renderer/x.ts',
      "import { SerialPortTransport } from '../drivers/transports/serial.js';\nexport const f = SerialPortTransport;\n",
    ],
    ['kiosk/drivers/pn532/x.ts', "import { SerialPort } from 'serialport';\nexport const f = SerialPort;\n"],
    [
      'kiosk/core/x.ts',
      "import { startSimulator } from '../../hardware-sim/runtime.js';\nexport const f = startSimulator;\n",
    ],
    [
      'relay/x.ts',
      "import { startSimulator } from '../hardware-sim/runtime.js';\nexport const f = startSimulator;\n",
    ],
    ['vrs-sim/x.ts', "import { createLogger } from '../relay/index.js';\nexport const f = createLogger;\n"],
  ])('%s: refuses %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toBeGreaterThan(0);
  });

  it.each([
    ['protocol/x.ts', "import nacl from 'tweetnacl';\nexport const f = nacl;\n"],
    [
      'kiosk/drivers/transports/x.ts',
      "import { SerialPort } from 'serialport';\nexport const f = SerialPort;\n",
    ],
    ['relay/x.ts', "import { openDb } from '../common/db.js';\nexport const f = openDb;\n"],
  ])('%s: allows %s', async (file, code) => {
    expect(await restrictedImports(file, code)).toBe(0);
  });
});
