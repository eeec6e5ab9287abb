import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusOf } from './corpus.js';
import type { FuzzSuite } from './target.js';

/**
 * The bounded mode of a fuzz suite, for `npm test`: each target runs `testRuns` generated and mutated inputs
 * (a fresh seed every run, printed by fast-check on failure), then every input of its regression corpus.
 */
export async function defineFuzzTests(
  suite: FuzzSuite,
  options: { only?: readonly string[] } = {},
): Promise<void> {
  const opened = await suite.open();
  describe(`fuzz: ${suite.name}`, () => {
    afterAll(() => opened.close());
    for (const t of opened.targets.filter((x) => options.only === undefined || options.only.includes(x.id))) {
      it(`${t.id}: ${t.title} (${t.testRuns} inputs)`, async () => {
        await fc.assert(
          fc.asyncProperty(t.arb, async (input) => {
            await t.check(input);
          }),
          { numRuns: t.testRuns },
        );
      });
      for (const entry of corpusOf(t.id)) {
        it(`${t.id} corpus ${entry.file}: ${entry.note}`, async () => {
          await expect(Promise.resolve().then(() => t.check(entry.input as never))).resolves.toBeUndefined();
        });
      }
    }
  });
}
