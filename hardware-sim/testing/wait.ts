import type { SimEvent, SimEventLog } from '../core/events.js';

/** Resolves with the first simulator event matching `pred` (from now on), or rejects after `timeoutMs`. */
export function nextEvent(
  events: SimEventLog,
  pred: (e: SimEvent) => boolean,
  timeoutMs = 10_000,
): Promise<SimEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for a simulator event'));
    }, timeoutMs);
    const off = events.subscribe((e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Polls `check` every 10 ms until it returns true, or rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
