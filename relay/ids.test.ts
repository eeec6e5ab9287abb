import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../common/db.js';
import { createLogger } from '../common/log.js';
import { Control } from './control.js';
import { Ids } from './ids.js';
import { relayMetrics } from './metrics.js';

let db: Db;
let control: Control;
let now = Date.now();
const clock = () => now;
beforeAll(async () => {
  db = await openDb();
  control = new Control({ db, log: createLogger('test', () => undefined), now: clock });
  await control.start();
});
afterAll(async () => {
  await control.close();
  await db.close();
});

const alertsOf = async (kind: string) =>
  (await control.alerts.list({ limit: 1000 })).filter((a) => a.kind === kind);
const settle = () => new Promise((r) => setTimeout(r, 150));

describe('intrusion detection and prevention', () => {
  it('bans a source after repeated failed handshakes, with one alert a minute per kind and source', async () => {
    const ids = new Ids(
      control,
      relayMetrics(),
      createLogger('ids', () => undefined),
      { sourceFailuresPerMinute: 5 },
      clock,
    );
    for (let i = 0; i < 4; i++) ids.failure('handshake-failed', '127.0.0.50', 'CHANNEL_HANDSHAKE_FAILED');
    await settle();
    expect(control.bans.isBanned('source', '127.0.0.50')).toBe(false);
    expect(await alertsOf('handshake-failed')).toHaveLength(1);
    ids.failure('handshake-failed', '127.0.0.50', 'CHANNEL_HANDSHAKE_FAILED');
    await settle();
    expect(control.bans.isBanned('source', '127.0.0.50')).toBe(true);
    expect((await control.bans.list()).some((b) => b.scope === 'source' && b.subject === '127.0.0.50')).toBe(
      true,
    );
    expect((await alertsOf('ban')).some((a) => a.source === '127.0.0.50')).toBe(true);
    now += 61_000; // a minute later the same kind of alert may be raised again
    ids.failure('handshake-failed', '127.0.0.50', 'CHANNEL_HANDSHAKE_FAILED');
    await settle();
    expect(await alertsOf('handshake-failed')).toHaveLength(2);
    ids.close();
  });

  it('bans a flapping identity at 15 connects a minute', async () => {
    const ids = new Ids(
      control,
      relayMetrics(),
      createLogger('ids', () => undefined),
      {},
      clock,
    );
    const id = 'F'.repeat(43);
    for (let i = 0; i < 14; i++) expect(ids.connected(id, '127.0.0.51')).toBe(true);
    expect(ids.connected(id, '127.0.0.51')).toBe(false);
    await settle();
    expect(control.bans.isBanned('identity', id)).toBe(true);
    expect((await alertsOf('flapping')).some((a) => a.kioskId === id)).toBe(true);
    ids.close();
  });

  it('bans an identity that keeps sending malformed frames, and a source guessing enrollment codes', async () => {
    const ids = new Ids(
      control,
      relayMetrics(),
      createLogger('ids', () => undefined),
      {},
      clock,
    );
    const id = 'M'.repeat(43);
    for (let i = 0; i < 3; i++) ids.failure('malformed-frame', '127.0.0.52', 'PROTOCOL_MALFORMED', id);
    for (let i = 0; i < 5; i++) ids.enrollFailure('127.0.0.53', 'RELAY_ENROLL_CODE_INVALID');
    await settle();
    expect(control.bans.isBanned('identity', id)).toBe(true);
    expect(control.bans.isBanned('source', '127.0.0.53')).toBe(true);
    expect((await alertsOf('enroll-brute-force')).length).toBe(1);
    ids.close();
  });
});
