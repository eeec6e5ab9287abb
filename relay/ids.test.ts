import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../common/db.js';
import { createLogger } from '../common/log.js';
import { Control } from './control.js';
import { Ids } from './ids.js';
import { relayMetrics } from './metrics.js';
import { waitUntil } from './testing/harness.js';

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
    await ids.settled();
    expect(control.bans.isBanned('source', '127.0.0.50')).toBe(false);
    expect(await alertsOf('handshake-failed')).toHaveLength(1);
    ids.failure('handshake-failed', '127.0.0.50', 'CHANNEL_HANDSHAKE_FAILED');
    await ids.settled();
    expect(control.bans.isBanned('source', '127.0.0.50')).toBe(true);
    expect((await control.bans.list()).some((b) => b.scope === 'source' && b.subject === '127.0.0.50')).toBe(
      true,
    );
    expect((await alertsOf('ban')).some((a) => a.source === '127.0.0.50')).toBe(true);
    now += 61_000; // a minute later the same kind of alert may be raised again
    ids.failure('handshake-failed', '127.0.0.50', 'CHANNEL_HANDSHAKE_FAILED');
    await ids.settled();
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
    await ids.settled();
    expect(control.bans.isBanned('identity', id)).toBe(true);
    expect((await alertsOf('flapping')).some((a) => a.kioskId === id)).toBe(true);
    ids.close();
  });

  it('bans an identity that keeps sending malformed frames; throttles (never bans) a source guessing enrollment codes', async () => {
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
    await ids.settled();
    expect(control.bans.isBanned('identity', id)).toBe(true);
    // The identity's strikes never count against its source address (other kiosks may share it).
    expect(control.bans.isBanned('source', '127.0.0.52')).toBe(false);
    // Enrollment guessing throttles that route for that source; its kiosk sessions are not touched.
    expect(control.bans.isBanned('source', '127.0.0.53')).toBe(false);
    expect(ids.enrollAllowed('127.0.0.53')).toBe(false);
    expect(ids.enrollAllowed('127.0.0.54')).toBe(true);
    expect((await alertsOf('enroll-brute-force')).length).toBe(1);
    ids.close();
  });

  it('rolls alerts from many sources up into one alert with a count (the alert store stays bounded)', async () => {
    const ids = new Ids(
      control,
      relayMetrics(),
      createLogger('ids', () => undefined),
      { alertsPerKindPerMinute: 20, distributedPerMinute: 100 },
      clock,
    );
    const before = (await alertsOf('unknown-key')).length;
    for (let i = 0; i < 500; i++)
      ids.failure('unknown-key', `127.1.${i >> 8}.${i & 255}`, 'RELAY_KIOSK_UNKNOWN');
    ids.flushRollUps();
    await ids.settled();
    const stored = (await alertsOf('unknown-key')).slice(0, -before || undefined);
    expect(stored).toHaveLength(21);
    const rollUp = stored.find((a) => a.detail['rolledUp'] === true);
    expect(rollUp).toMatchObject({ severity: 'critical', detail: { count: 480, sources: 480 } });
    ids.close();
  });

  it('detects distributed guessing of enrollment codes: many sources, one target, and fleet-wide', async () => {
    const ids = new Ids(
      control,
      relayMetrics(),
      createLogger('ids', () => undefined),
      { enrollTargetFailuresPer10Min: 10, enrollGlobalFailuresPerMinute: 30 },
      clock,
    );
    for (let i = 0; i < 10; i++) ids.enrollFailure(`127.2.0.${i}`, 'RELAY_ENROLL_CODE_INVALID', 'store-9999');
    expect(ids.enrollAllowed('127.2.1.1', 'store-9999')).toBe(false);
    expect(ids.enrollAllowed('127.2.1.1', 'store-1234')).toBe(true);
    for (let i = 0; i < 30; i++) ids.enrollFailure(`127.3.0.${i}`, 'RELAY_ENROLL_CODE_INVALID');
    expect(ids.enrollAllowed('127.2.1.2')).toBe(false);
    await ids.settled();
    const guessing = await alertsOf('enroll-guessing');
    expect(guessing.map((a) => a.detail['target']).sort()).toEqual(['(no name)', '*', 'store-9999'].sort());
    expect(guessing.every((a) => a.severity === 'critical')).toBe(true);
    ids.close();
  });

  it('lifts a ban it could not store with its audit record (no action without its record)', async () => {
    const ids = new Ids(
      control,
      relayMetrics(),
      createLogger('ids', () => undefined),
      { sourceFailuresPerMinute: 2 },
      clock,
    );
    await db.exec(`
      CREATE FUNCTION test_refuse_ban() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$ LANGUAGE plpgsql;
      CREATE TRIGGER test_refuse_ban BEFORE INSERT ON relay_audit FOR EACH ROW EXECUTE FUNCTION test_refuse_ban();`);
    try {
      for (let i = 0; i < 2; i++) ids.failure('handshake-failed', '127.0.0.60', 'CHANNEL_HANDSHAKE_FAILED');
      expect(control.bans.isBanned('source', '127.0.0.60')).toBe(true); // at once, before the write lands
      await waitUntil(() => !control.bans.isBanned('source', '127.0.0.60'));
    } finally {
      await db.exec('DROP TRIGGER test_refuse_ban ON relay_audit; DROP FUNCTION test_refuse_ban();');
    }
    expect((await control.bans.list()).some((b) => b.subject === '127.0.0.60')).toBe(false);
    ids.close();
  });
});
