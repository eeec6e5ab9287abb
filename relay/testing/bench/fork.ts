import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Worker {
  child: ChildProcess;
  next<T>(): Promise<T>;
  send(msg: unknown): void;
  kill(): Promise<void>;
}

/** Forks a TypeScript benchmark helper (in this folder) and queues its IPC messages. */
export function forkWorker(file: string, args: string[] = [], execArgv: string[] = []): Worker {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), args, {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: unknown[] = [];
  const waiters: Array<(m: unknown) => void> = [];
  child.on('message', (m) => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return {
    child,
    next<T>() {
      if (queue.length > 0) return Promise.resolve(queue.shift() as T);
      return new Promise<T>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`${file} exited with ${code}`));
        child.once('exit', onExit);
        waiters.push((m) => {
          child.off('exit', onExit);
          resolve(m as T);
        });
      });
    },
    send(msg) {
      child.send(msg as object);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      });
    },
  };
}
