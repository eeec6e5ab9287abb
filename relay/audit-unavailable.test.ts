import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { generateIdentity, keyId } from '../protocol/index.js';
import { startTestRelay, waitUntil, type TestRelay } from './testing/harness.js';
import { TestKiosk } from './testing/test-kiosk.js';

/**
 * Issue 17: the relay's audit store full. "Full" is a disk-full error injected at the database layer: a
 * trigger on `relay_audit` raising SQLSTATE 53100 (disk_full), what PostgreSQL answers when it cannot extend a
 * table. The relay must stop answering kiosks rather than issue without a record, say so on /api/status and
 * in an alert, and take requests again by itself once records can be stored.
 */
let t: TestRelay;
let kiosk: TestKiosk;

beforeAll(async () => {
  t = await startTestRelay();
  const identity = generateIdentity(nodeCrypto);
  await t.relay.control.kiosks.insert(keyId(identity.publicKey), 'audit-full');
  const c = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity });
  if (!c.ok) throw new Error(`connect refused: ${c.code}`);
  kiosk = c.kiosk;
});

afterAll(async () => {
  kiosk?.close();
  await t?.stop();
});

const status = async () => {
  const r = await t.relay.ops.request('/api/status', { headers: t.opsHeaders });
  return ((await r.json()) as { audit: { writable: boolean; code: string | null } }).audit;
};

describe('the audit store full', () => {
  it('refuses requests before they reach VRS, says so, and resumes by itself', async () => {
    const ok = await kiosk.request(t.vrs.box.publicKey, '131016');
    expect(ok.reply.type).toBe('issue.response');
    expect(await status()).toMatchObject({ writable: true, code: null });

    await t.relay.db.exec(`
      CREATE FUNCTION test_audit_full() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END; $$ LANGUAGE plpgsql;
      CREATE TRIGGER test_audit_full BEFORE INSERT ON relay_audit FOR EACH ROW EXECUTE FUNCTION test_audit_full();`);
    try {
      // The first request finds out: VRS answers, its record cannot be stored, the answer is withheld.
      const first = await kiosk.request(t.vrs.box.publicKey, '131016');
      expect(first.reply).toMatchObject({ type: 'issue.error', code: 'RELAY_AUDIT_UNAVAILABLE' });
      expect(await status()).toMatchObject({ writable: false, code: '53100' });
      // From then on nothing reaches VRS.
      const seen = t.vrs.requestsSeen;
      const second = await kiosk.request(t.vrs.box.publicKey, '271004');
      expect(second.reply).toMatchObject({ type: 'issue.error', code: 'RELAY_AUDIT_UNAVAILABLE' });
      expect(t.vrs.requestsSeen).toBe(seen);
      const alerts = await t.relay.control.alerts.list();
      expect(alerts.filter((a) => a.kind === 'audit-unavailable')).toMatchObject([
        { severity: 'critical', detail: { code: '53100' } },
      ]);
      expect(t.logLines.some((l) => l.includes('"event":"audit.unavailable"'))).toBe(true);
    } finally {
      await t.relay.db.exec('DROP TRIGGER test_audit_full ON relay_audit; DROP FUNCTION test_audit_full();');
    }

    // The store is tried again (an `audit.resumed` record); requests are answered and the chain verifies.
    await waitUntil(async () => (await status()).writable, 20_000);
    const records = await t.relay.control.audit.list(0, 100_000);
    expect(records.filter((r) => r.kind === 'audit.resumed')).toHaveLength(1);
    const again = await kiosk.request(t.vrs.box.publicKey, '131016');
    expect(again.reply.type).toBe('issue.response');
    expect((await t.relay.control.audit.verify()).ok).toBe(true);
  });
});
