import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RELAY_NODE_FLAGS } from '../node-flags.js';
import type { RelayInfo } from '../relay.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface RelayProcess {
  info: RelayInfo;
  child: ChildProcess;
  stderr: string[];
  stop(): Promise<void>;
}

/**
 * Starts `relay/main.ts` in a child process (with `RELAY_NODE_FLAGS`) with `env` and waits for its JSON line.
 * `fileLimit` lowers the child's open-file limit (`ulimit -n`, soft and hard) before Node starts;
 * `startTimeoutMs` (60 s) is how long it may take to start.
 */
export async function spawnRelay(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  options: { fileLimit?: number; startTimeoutMs?: number } = {},
): Promise<RelayProcess> {
  const args = ['--import', 'tsx', ...RELAY_NODE_FLAGS, ...nodeArgs, MAIN];
  const [cmd, argv] =
    options.fileLimit === undefined
      ? [process.execPath, args]
      : // `exec`: the shell becomes Node, so signals reach the relay itself.
        ['sh', ['-c', 'ulimit -n "$0" && exec "$@"', String(options.fileLimit), process.execPath, ...args]];
  const child = spawn(cmd, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => {
    if (stderr.length < 5000) stderr.push(l);
  });
  const info = await new Promise<RelayInfo>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`relay did not start: ${stderr.slice(-5).join(' | ')}`)),
      options.startTimeoutMs ?? 60_000,
    );
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(t);
      resolve(JSON.parse(line) as RelayInfo);
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`relay exited with ${code}: ${stderr.slice(-5).join(' | ')}`));
    });
  });
  return {
    info,
    child,
    stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      });
    },
  };
}
