import type fc from 'fast-check';

/**
 * One fuzz target: a parser at a trust boundary, the inputs to give it and the property it must keep.
 * Inputs are JSON-encodable (`Uint8Array` as `{ "$hex": … }`, see corpus.ts) so any input that found a bug
 * can be kept in `tests/fuzz/corpus/<id>/` and replayed by a normal test.
 */
export interface FuzzTarget<T = never> {
  /** Stable id: the corpus folder name and what `npm run fuzz -- <filter>` matches. */
  readonly id: string;
  /** The parser and the property, in one line. */
  readonly title: string;
  readonly arb: fc.Arbitrary<T>;
  /** Throws (or rejects) when the property is broken; returns when it holds. */
  check(input: T): void | Promise<void>;
  /** Inputs in `npm test` (the bounded subset). */
  readonly testRuns: number;
}

/** A group of targets sharing one setup (keys, a relay on PGlite, the simulators …). */
export interface FuzzSuite {
  readonly name: string;
  /** The ids of the targets `open` returns (so a filter can skip a suite without starting it). */
  readonly ids: readonly string[];
  open(): Promise<{ targets: FuzzTarget<never>[]; close(): Promise<void> }>;
}

/** Declares a target with its input type checked against its arbitrary. */
export function target<T>(t: FuzzTarget<T>): FuzzTarget<never> {
  return t as unknown as FuzzTarget<never>;
}

/** A property violation: the message names the target's promise that was broken. */
export class PropertyBroken extends Error {
  override readonly name = 'PropertyBroken';
}

export function expect(cond: unknown, message: string): asserts cond {
  if (!cond) throw new PropertyBroken(message);
}
