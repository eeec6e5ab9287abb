import { spawn, type ChildProcess } from 'node:child_process';
import { coded } from '../../protocol/errors/index.js';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * util-linux's `setpriv` (always on Debian): run through `setpriv --pdeathsig KILL`, socat dies with the
 * process that started it, even when that process is killed outright (SIGKILL, a crash) and cannot clean
 * up. Without it (another system), socat is started directly and outlives such a death.
 */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/**
 * A virtual serial cable: a pair of ptys joined by `socat`. The kiosk opens `hostPath`, the simulator
 * opens `devicePath`. Both are stable symlinks, so `unplug()` (socat ends, the host side sees EIO/close)
 * followed by `plug()` gives the same paths back, as a USB-serial adapter does when re-inserted.
 */
export class VirtualSerialPair {
  readonly hostPath: string;
  readonly devicePath: string;
  #child: ChildProcess | undefined;

  constructor(dir: string, name: string) {
    mkdirSync(dir, { recursive: true });
    this.hostPath = join(dir, name);
    this.devicePath = join(dir, `${name}.device`);
  }

  /** socat's process id while plugged. */
  get pid(): number | undefined {
    return this.plugged ? this.#child?.pid : undefined;
  }

  get plugged(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null;
  }

  /** Starts socat and resolves once both ends exist. */
  async plug(): Promise<void> {
    if (this.plugged) return;
    rmSync(this.hostPath, { force: true });
    rmSync(this.devicePath, { force: true });
    const socat = ['socat', `pty,raw,echo=0,link=${this.hostPath}`, `pty,raw,echo=0,link=${this.devicePath}`];
    // setpriv execs socat in place: same process, so `kill` and the exit code are socat's own.
    const argv = SETPRIV === undefined ? socat : [SETPRIV, '--pdeathsig', 'KILL', '--', ...socat];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(coded('SIM_SOCAT_MISSING', 'socat could not start (apt-get install socat)', err)),
      );
      child.once('exit', (code) =>
        reject(
          code === 127 // setpriv could not find socat
            ? coded('SIM_SOCAT_MISSING', 'socat could not start (apt-get install socat)')
            : coded('SIM_SOCAT_EXITED', `socat exited with ${String(code)}: ${stderr.trim()}`),
        ),
      );
    });
    const ready = (async () => {
      const deadline = Date.now() + 5000;
      while (!(existsSync(this.hostPath) && existsSync(this.devicePath))) {
        if (Date.now() > deadline) throw coded('SIM_SOCAT_TIMEOUT', 'socat did not create the ptys');
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await Promise.race([ready, failed]);
    failed.catch(() => undefined);
  }

  /** Pulls the cable: socat ends and both pty links disappear. */
  async unplug(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    rmSync(this.hostPath, { force: true });
    rmSync(this.devicePath, { force: true });
  }
}
