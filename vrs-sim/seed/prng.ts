/**
 * Deterministic pseudo-random numbers for the seed generator (not for keys or nonces: those come from
 * node:crypto). sfc32 seeded through a 32-bit string hash, so each resident's data depends only on
 * (seed, municipality, index) and batches can be made in any order.
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** A 32-bit mix of two integers (murmur3 finaliser over a ⊕ f(b)). */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x27d4eb2d) ^ (b / 4294967296)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: string) {
    this.#a = hash32(seed + '\0a');
    this.#b = hash32(seed + '\0b');
    this.#c = hash32(seed + '\0c');
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Seeds from a base hash and an index without building strings (the seeder's hot path). */
  static fromIndex(base: number, index: number): Rng {
    const r = new Rng('');
    r.#a = mix32(base ^ 0x9e3779b9, index);
    r.#b = mix32(base ^ 0x85ebca6b, index);
    r.#c = mix32(base ^ 0xc2b2ae35, index);
    r.#d = 1;
    for (let i = 0; i < 12; i++) r.next();
    return r;
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('pick: empty list');
    return item;
  }

  /** Picks by weights (any positive numbers). */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new RangeError('weighted: empty list');
    return last[0];
  }
}
