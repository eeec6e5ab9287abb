import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { generateIdentity, keyId, utf8 } from '../protocol/index.js';
import { startTestRelay, type TestRelay } from './testing/harness.js';
import { TestKiosk } from './testing/test-kiosk.js';

/** Issue 12 item 3: an operator action and its audit record commit together or not at all. */
let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(async () => {
  await t.stop();
});

const ops = (path: string, init: RequestInit = {}) =>
  t.relay.ops.request(path, { ...init, headers: { ...t.opsHeaders } });
const LONE = JSON.stringify('bad\ud800'); // "bad\ud800": valid JSON, not well-formed Unicode

async function enrolled(): Promise<string> {
  const id = keyId(generateIdentity(nodeCrypto).publicKey);
  await t.relay.control.kiosks.insert(id, 'trust');
  return id;
}
const auditKinds = async () => (await t.relay.control.audit.list(0, 100_000)).map((r) => r.kind);

describe('operator text that is not well-formed Unicode', () => {
  it('is refused at the schema with 400 RELAY_OPS_BAD_REQUEST, and nothing happens', async () => {
    const id = await enrolled();
    const before = await auditKinds();
    const cases: Array<[string, string]> = [
      [`/api/kiosks/${id}/revoke`, `{"reason":${LONE}}`],
      ['/api/stops', `{"scope":"131016","reason":${LONE}}`],
      ['/api/enrollment-codes', `{"name":${LONE}}`],
    ];
    for (const [path, body] of cases) {
      const res = await ops(path, { method: 'POST', body });
      expect(res.status, path).toBe(400);
      const j = (await res.json()) as { code: string; message: string };
      expect(j.code).toBe('RELAY_OPS_BAD_REQUEST');
      expect(j.message).toContain('well-formed');
    }
    expect(t.relay.control.kiosks.status(id)).toBe('active');
    expect((await t.relay.control.kiosks.get(id))?.revokedAt).toBeNull();
    expect(t.relay.control.stops.isStopped('131016')).toBe(false);
    expect(await t.relay.control.codes.listPending()).toHaveLength(0);
    expect(await auditKinds()).toEqual(before);
    expect((await ops(`/api/bans/source/${encodeURIComponent('\ufffd')}`, { method: 'DELETE' })).status).toBe(
      404,
    );
    // U+0000 too: PostgreSQL text cannot hold it (found by the relay-ops fuzz target).
    const nul = JSON.stringify('bad\u0000');
    for (const [method, path, body] of [
      ['POST', `/api/kiosks/${id}/revoke`, `{"reason":${nul}}`],
      ['POST', '/api/stops', `{"scope":"131016","reason":${nul}}`],
      ['POST', '/api/enrollment-codes', `{"name":${nul}}`],
      ['GET', '/api/kiosks?after=%00', undefined],
      ['DELETE', '/api/bans/source/%00', undefined],
    ] as const) {
      const res = await ops(path, { method, ...(body === undefined ? {} : { body }) });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('RELAY_OPS_BAD_REQUEST');
    }
    expect(await auditKinds()).toEqual(before);
  });
});

describe('an action whose audit record cannot be written', () => {
  it('does not take effect (revoke, stop, enrollment code): one transaction', async () => {
    const id = await enrolled();
    await t.relay.db.exec(`
      CREATE FUNCTION test_refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$ LANGUAGE plpgsql;
      CREATE TRIGGER test_refuse_audit BEFORE INSERT ON relay_audit FOR EACH ROW EXECUTE FUNCTION test_refuse_audit();`);
    try {
      const revoke = await ops(`/api/kiosks/${id}/revoke`, {
        method: 'POST',
        body: JSON.stringify({ reason: 'stolen' }),
      });
      expect(revoke.status).toBe(500);
      expect(((await revoke.json()) as { code: string }).code).toBe('RELAY_INTERNAL');
      const stop = await ops('/api/stops', {
        method: 'POST',
        body: JSON.stringify({ scope: '271004', reason: 'drill' }),
      });
      expect(stop.status).toBe(500);
      const code = await ops('/api/enrollment-codes', {
        method: 'POST',
        body: JSON.stringify({ name: 'x' }),
      });
      expect(code.status).toBe(500);
    } finally {
      await t.relay.db.exec(
        'DROP TRIGGER test_refuse_audit ON relay_audit; DROP FUNCTION test_refuse_audit();',
      );
    }
    expect(t.relay.control.kiosks.status(id)).toBe('active');
    expect((await t.relay.control.kiosks.get(id))?.revokedAt).toBeNull();
    expect(t.relay.control.stops.isStopped('271004')).toBe(false);
    expect(await t.relay.control.stops.list()).toHaveLength(0);
    expect(await t.relay.control.codes.listPending()).toHaveLength(0);
    // …and works, with its record, once the database takes records again.
    const ok = await ops(`/api/kiosks/${id}/revoke`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'x' }),
    });
    expect(ok.status).toBe(200);
    const rec = (await t.relay.control.audit.list(0, 100_000)).find(
      (r) => r.kind === 'kiosk.revoked' && r.kioskId === id,
    );
    expect(rec).toBeDefined();
    expect((await t.relay.control.audit.verify()).ok).toBe(true);
  });
});

describe('kiosk text that is not well-formed Unicode', () => {
  it('closes the session as a malformed message (the health batch of every kiosk stays writable)', async () => {
    const identity = generateIdentity(nodeCrypto);
    await t.relay.control.kiosks.insert(keyId(identity.publicKey), 'lone');
    const c = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity });
    if (!c.ok) throw new Error(`connect refused: ${c.code}`);
    await c.kiosk.heartbeat(0);
    const hb = `{"v":1,"type":"heartbeat","seq":1,"health":{"reader":"ok","printer":"ok","paper":"ok","pinpad":"ok","coin":"ok","hopper":"ok","software":${LONE}}}`;
    c.kiosk.sendRaw(c.kiosk.sealRaw(utf8(hb)));
    await c.kiosk.closed;
    expect(c.kiosk.closeCode).toBe(4400);
    expect(c.kiosk.closeReason).toBe('PROTOCOL_MALFORMED');
  });
});
