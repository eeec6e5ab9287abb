import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PIN_TRIES_MAX, type PinCounter } from './pin-counter.js';

const StoreSchema = z.record(z.string(), z.number().int().min(0).max(PIN_TRIES_MAX));

/**
 * PIN retry counters per card (resident id → remaining tries), persisted in `<stateDir>/card-pin-tries.json`
 * so a card keeps its counter across placements and simulator restarts, as a real card does.
 */
export class PinTriesStore {
  readonly #path: string;
  #data: Record<string, number>;

  constructor(stateDir: string) {
    this.#path = join(stateDir, 'card-pin-tries.json');
    this.#data = existsSync(this.#path)
      ? StoreSchema.parse(JSON.parse(readFileSync(this.#path, 'utf8')))
      : {};
  }

  get(id: string, initial: number): number {
    return this.#data[id] ?? initial;
  }

  set(id: string, remaining: number): void {
    if (!Number.isInteger(remaining) || remaining < 0 || remaining > PIN_TRIES_MAX)
      throw new RangeError(`remaining: an integer 0…${PIN_TRIES_MAX}`);
    this.#data[id] = remaining;
    const tmp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#data, null, 2) + '\n');
    renameSync(tmp, this.#path);
  }

  counterFor(id: string, initial: number): PinCounter {
    return { get: () => this.get(id, initial), set: (n) => this.set(id, n) };
  }
}
