import { describe, expect, it } from 'vitest';
import { health as HealthSchema } from '../../protocol/index.js';
import { classifyHealth } from '../../relay/store/health.js';
import type { HopperReport } from '../drivers/coin/index.js';
import { hopperHealth } from './runtime.js';

const report = (r: Partial<HopperReport>): HopperReport => ({
  yen: 100,
  address: 5,
  connected: true,
  low: false,
  empty: false,
  jammed: false,
  ...r,
});

/**
 * Issue 13: every hopper state the driver knows reaches the heartbeat as it is, and the relay colours it
 * right (a jam was reported as "empty": the store would have refilled a full hopper).
 */
describe('hopper health in the heartbeat', () => {
  it.each([
    [{}, 'ok', 'green', []],
    [{ low: true }, 'low', 'yellow', ['hopper.100.low']],
    [{ empty: true, low: true }, 'empty', 'yellow', ['hopper.100.empty']],
    [{ jammed: true }, 'jam', 'yellow', ['hopper.100.jam']],
    [{ jammed: true, empty: true }, 'jam', 'yellow', ['hopper.100.jam']],
    [{ connected: false, jammed: true }, 'disconnected', 'red', ['hopper.100.disconnected']],
  ] as const)('%o → %s (%s at the relay)', (r, state, status, issues) => {
    const s = hopperHealth(report(r));
    expect(s).toBe(state);
    const h = {
      reader: 'ok',
      printer: 'ok',
      paper: 'ok',
      pinpad: 'ok',
      coin: 'ok',
      hopper: s,
      hoppers: [{ denomination: 100, state: s }],
      software: 'kiosk-test',
    };
    expect(HealthSchema.safeParse(h).success).toBe(true);
    expect(classifyHealth(h)).toEqual({ status, issues });
  });
});
