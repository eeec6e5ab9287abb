import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualSerialPair } from './pty.js';

const dir = mkdtempSync(join(tmpdir(), 'pty-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Running (a zombie left for a reaper counts as ended). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('VirtualSerialPair', () => {
  it('plugs and unplugs: both links appear, then socat ends and they are gone', async () => {
    const pair = new VirtualSerialPair(dir, 'cable');
    await pair.plug();
    const pid = pair.pid!;
    expect(existsSync(pair.hostPath) && existsSync(pair.devicePath)).toBe(true);
    expect(alive(pid)).toBe(true);
    await pair.unplug();
    expect(pair.plugged).toBe(false);
    expect(existsSync(pair.hostPath) || existsSync(pair.devicePath)).toBe(false);
    expect(alive(pid)).toBe(false);
  });

  it('socat dies with a simulator that is killed outright (no orphaned socat)', async () => {
    // A child process plugs a cable, prints socat's pid, and is then SIGKILLed: it cannot clean up.
    const script = `
      import { VirtualSerialPair } from ${JSON.stringify(new URL('./pty.ts', import.meta.url).pathname)};
      const pair = new VirtualSerialPair(${JSON.stringify(dir)}, 'orphan');
      await pair.plug();
      console.log(pair.pid);
      setInterval(() => undefined, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (l) => resolve(Number(l)));
      child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
  });
});
