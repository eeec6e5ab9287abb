import { describe, expect, it } from 'vitest';
import { health as HealthSchema } from '../../protocol/index.js';
import { classifyHealth } from './health.js';

const ok = {
  reader: 'ok',
  printer: 'ok',
  paper: 'ok',
  pinpad: 'ok',
  coin: 'ok',
  hopper: 'ok',
  software: 'kiosk-0.1.0',
} as const;

describe('device health classification', () => {
  it('is green when every device is ok', () => {
    expect(classifyHealth(ok)).toEqual({ status: 'green', issues: [] });
  });

  it('does not call an empty hopper ok: yellow with its issue (the old kiosk said hopper "ok")', () => {
    expect(classifyHealth({ ...ok, hopper: 'empty' })).toEqual({
      status: 'yellow',
      issues: ['hopper.empty'],
    });
  });

  it.each([
    [{ paper: 'out' }, 'yellow', 'paper.out'],
    [{ paper: 'low' }, 'yellow', 'paper.low'],
    [{ printer: 'cover-open' }, 'yellow', 'printer.cover-open'],
    [{ printer: 'jam' }, 'yellow', 'printer.jam'],
    [{ coin: 'jam' }, 'yellow', 'coin.jam'],
    [{ hopper: 'jam' }, 'yellow', 'hopper.jam'],
    [{ reader: 'fault' }, 'red', 'reader.fault'],
    [{ pinpad: 'disconnected' }, 'red', 'pinpad.disconnected'],
    [{ printer: 'fault' }, 'red', 'printer.fault'],
  ])('%o is %s (%s)', (change, status, issue) => {
    const h = { ...ok, ...change };
    expect(HealthSchema.safeParse(h).success).toBe(true);
    expect(classifyHealth(h)).toEqual({ status, issues: [issue] });
  });

  it('reports each hopper and the note validator on their own, red issues first', () => {
    const h = {
      ...ok,
      pinpad: 'disconnected',
      hoppers: [
        { denomination: 10, state: 'ok' },
        { denomination: 100, state: 'empty' },
        { denomination: 50, state: 'low' },
      ],
      noteValidator: 'full',
    };
    expect(HealthSchema.safeParse(h).success).toBe(true);
    expect(classifyHealth(h)).toEqual({
      status: 'red',
      issues: ['pinpad.disconnected', 'hopper.100.empty', 'hopper.50.low', 'note.full'],
    });
  });

  it('treats a missing health report as yellow', () => {
    expect(classifyHealth(null)).toEqual({ status: 'yellow', issues: ['health.missing'] });
  });
});
