import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.js';

const options = {
  reason: { type: 'string' },
  key: { type: 'string', multiple: true },
  unack: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

describe('parseCliArgs', () => {
  it('takes ids and key values that start with a dash', () => {
    const r = parseCliArgs(['revoke', '-Xb3_k', '--reason', '-lost', '--key', '-a', '--key=-b'], options);
    expect(r.positionals).toEqual(['revoke', '-Xb3_k']);
    expect(r.values).toEqual({ reason: '-lost', key: ['-a', '-b'] });
  });

  it('keeps flags, short flags and everything after --', () => {
    const r = parseCliArgs(['alerts', '--unack', '-h', '--', '--not-an-option'], options);
    expect(r.positionals).toEqual(['alerts', '--not-an-option']);
    expect(r.values).toEqual({ unack: true, help: true });
  });

  it('still refuses an unknown or misspelt option', () => {
    expect(() => parseCliArgs(['kiosks', '--reasn', 'x'], options)).toThrow(/Unknown option '--reasn'/);
  });
});
