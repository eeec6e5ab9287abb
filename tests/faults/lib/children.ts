import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** A child process of the fault suite: started from a TypeScript entry, killed for real. */
export interface Child<I> {
  info: I;
  child: ChildProcess;
  /** SIGKILL: no handler runs, nothing is flushed; resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (the process's own clean stop), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx [nodeArgs] entry` with `env`, appends its stderr (JSON log lines) to `logFile`
 * (the suite scans it for personal data) and resolves with the JSON object of its first stdout line.
 */
export async function spawnChild<I>(
  entry: string,
  env: Record<string, string>,
  logFile: string,
  nodeArgs: readonly string[] = [],
): Promise<Child<I>> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => {
    log.write(l + '\n');
    tail.push(l);
    if (tail.length > 5) tail.shift();
  });
  child.once('exit', () => log.end());
  const info = await new Promise<I>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${entry} did not start: ${tail.join(' | ')}`)), 120_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(t);
      resolve(JSON.parse(line) as I);
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${entry} exited with ${code}: ${tail.join(' | ')}`));
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const exited = () =>
    new Promise<void>((resolve) => (gone() ? resolve() : child.once('exit', () => resolve())));
  return {
    info,
    child,
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited();
    },
    async stop() {
      if (gone()) return;
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited();
      clearTimeout(t);
    },
  };
}
