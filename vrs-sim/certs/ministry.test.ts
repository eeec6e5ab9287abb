import { describe, expect, it } from 'vitest';
import { JAPAN_PERFORMER } from './shc.js';
import { VDS_NC_ADMINISTRATOR } from './vdsnc.js';

/**
 * The ministry is spelled differently in the two formats, each as Japan's own certificates do
 * (docs/reference.md, sections 2.2 and 2.3): a decoded real SMART Health Card carries `MHLW_Gov_of_JAPAN` in
 * `performer[0].actor.display`; the Digital Agency FAQ writes `MHLW_Gov_of_Japan` for the VDS-NC `adm` field.
 * Pinned as literals so that "harmonising" the two is a visible, deliberate change.
 */
describe('the ministry as each format spells it', () => {
  it('SHC performer: MHLW_Gov_of_JAPAN; VDS-NC adm: MHLW_Gov_of_Japan (≤ 20 characters)', () => {
    expect(JAPAN_PERFORMER).toBe('MHLW_Gov_of_JAPAN');
    expect(VDS_NC_ADMINISTRATOR).toBe('MHLW_Gov_of_Japan');
    expect(VDS_NC_ADMINISTRATOR.length).toBeLessThanOrEqual(20);
  });
});
