/** Small helpers for benchmark child processes talking over the IPC channel. */
export function send(msg: unknown): void {
  process.send?.(msg);
}

export function onMessage<T>(fn: (msg: T) => void | Promise<void>): void {
  process.on('message', (m) => void fn(m as T));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
