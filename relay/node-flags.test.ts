import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELAY_NODE_FLAGS } from './node-flags.js';

describe('RELAY_NODE_FLAGS', () => {
  it('are all in the `npm run relay` script (which cannot import them)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const words = pkg.scripts['relay']?.split(/\s+/) ?? [];
    for (const flag of RELAY_NODE_FLAGS) expect(words).toContain(flag);
  });
});
