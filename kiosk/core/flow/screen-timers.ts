import type { Clock, TimerHandle } from './ports.js';

/**
 * Named one-shot timers on the flow's clock. Each name holds at most one timer; setting it again replaces
 * it. `clearAll()` runs on every screen change so no timer of an old screen fires on a new one.
 */
export class ScreenTimers {
  readonly #timers = new Map<string, TimerHandle>();
  constructor(private readonly clock: Clock) {}

  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    const handle = this.clock.setTimeout(() => {
      this.#timers.delete(name);
      fn();
    }, ms);
    this.#timers.set(name, handle);
  }

  clear(name: string): void {
    const h = this.#timers.get(name);
    if (h !== undefined) this.clock.clearTimeout(h);
    this.#timers.delete(name);
  }

  clearAll(): void {
    for (const h of this.#timers.values()) this.clock.clearTimeout(h);
    this.#timers.clear();
  }

  has(name: string): boolean {
    return this.#timers.has(name);
  }
}
