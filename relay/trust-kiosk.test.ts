import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { generateIdentity, keyId, newRequestId } from '../protocol/index.js';
import { startTestRelay, waitUntil, type TestRelay } from './testing/harness.js';
import { TestKiosk } from './testing/test-kiosk.js';

/** Issue 12 items 1 and 6: what one enrolled (possibly stolen) kiosk can do to the relay. */
let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
}, 120_000);
afterAll(async () => {
  await t.stop();
});

async function enrolledKiosk(): Promise<TestKiosk> {
  const identity = generateIdentity(nodeCrypto);
  await t.relay.control.kiosks.insert(keyId(identity.publicKey), 'rogue');
  const r = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity });
  if (!r.ok) throw new Error(`connect refused: ${r.code}`);
  await r.kiosk.heartbeat(0);
  return r.kiosk;
}
const alertsFor = async (kioskId: string) =>
  (await t.relay.control.alerts.list({ limit: 5000 })).filter((a) => a.kioskId === kioskId);
const recordsFor = async (kioskId: string) =>
  (await t.relay.control.audit.list(0, 100_000)).filter((r) => r.kioskId === kioskId);

describe('issue.outcome', () => {
  it('for a made-up request id stops nothing, records nothing, and strikes the identity until it is banned', async () => {
    const k = await enrolledKiosk();
    for (let i = 0; i < 3000; i++) {
      k.send({
        v: 1,
        type: 'issue.outcome',
        requestId: newRequestId(nodeCrypto),
        outcome: 'binding-mismatch',
        code: 'ENVELOPE_BINDING_MISMATCH',
      });
    }
    await k.closed;
    expect(k.closeCode).toBe(4429);
    expect(k.notices.map((n) => n.code)).toContain('RELAY_BANNED');
    expect(t.relay.control.bans.isBanned('identity', k.kioskId)).toBe(true);
    expect(t.relay.control.stops.isStopped('fleet')).toBe(false);
    expect(await t.relay.control.stops.list()).toEqual([]);
    expect((await recordsFor(k.kioskId)).filter((r) => r.kind === 'issue.outcome')).toEqual([]);
    await waitUntil(async () => (await alertsFor(k.kioskId)).some((a) => a.kind === 'unsolicited-outcome'));
    // Alerts are bounded too: one per kind and identity a minute, whatever the flood.
    expect((await alertsFor(k.kioskId)).filter((a) => a.kind === 'unsolicited-outcome')).toHaveLength(1);
  });

  it('is accepted for a request this relay answered to this kiosk, and not for another kiosk', async () => {
    const a = await enrolledKiosk();
    const b = await enrolledKiosk();
    const r = await a.request(t.vrs.box.publicKey, '131016');
    expect(r.reply.type).toBe('issue.response');
    b.send({ v: 1, type: 'issue.outcome', requestId: r.requestId, outcome: 'printed' });
    a.send({ v: 1, type: 'issue.outcome', requestId: r.requestId, outcome: 'printed' });
    await waitUntil(async () => (await recordsFor(a.kioskId)).some((x) => x.kind === 'issue.outcome'));
    expect((await recordsFor(a.kioskId)).find((x) => x.kind === 'issue.outcome')).toMatchObject({
      requestId: r.requestId,
      municipality: '131016',
      detail: { outcome: 'printed' },
    });
    await waitUntil(async () => (await alertsFor(b.kioskId)).some((x) => x.kind === 'unsolicited-outcome'));
    expect((await recordsFor(b.kioskId)).filter((x) => x.kind === 'issue.outcome')).toEqual([]);
    a.close();
    b.close();
  });

  it('acknowledges an outcome once it is in the audit log; a resend is acknowledged again and recorded once', async () => {
    const a = await enrolledKiosk();
    const r = await a.request(t.vrs.box.publicKey, '131016');
    a.send({ v: 1, type: 'issue.outcome', requestId: r.requestId, outcome: 'printed' });
    await waitUntil(() => a.outcomeAcks.length === 1);
    // The acknowledgement was lost on the line: the kiosk sends the same outcome again.
    a.send({ v: 1, type: 'issue.outcome', requestId: r.requestId, outcome: 'printed' });
    await waitUntil(() => a.outcomeAcks.length === 2);
    expect(a.outcomeAcks).toEqual([r.requestId, r.requestId]);
    expect((await recordsFor(a.kioskId)).filter((x) => x.kind === 'issue.outcome')).toHaveLength(1);
    expect(t.relay.control.bans.isBanned('identity', a.kioskId)).toBe(false);
  });

  it('matches an outcome resent to a process that does not remember the answer against the audit log', async () => {
    const a = await enrolledKiosk();
    const r = await a.request(t.vrs.box.publicKey, '131016');
    // A restarted process, or another of the cluster: it remembers nothing of this kiosk's requests.
    t.relay.endpoint.answered.sweep(Date.now() + 24 * 3600_000);
    a.send({ v: 1, type: 'issue.outcome', requestId: r.requestId, outcome: 'printed' });
    await waitUntil(() => a.outcomeAcks.length === 1);
    expect((await recordsFor(a.kioskId)).filter((x) => x.kind === 'issue.outcome')).toHaveLength(1);
    t.relay.endpoint.answered.sweep(Date.now() + 24 * 3600_000);
    a.send({ v: 1, type: 'issue.outcome', requestId: r.requestId, outcome: 'printed' });
    await waitUntil(() => a.outcomeAcks.length === 2);
    expect((await recordsFor(a.kioskId)).filter((x) => x.kind === 'issue.outcome')).toHaveLength(1);
    expect(t.relay.control.bans.isBanned('identity', a.kioskId)).toBe(false);
  });

  it('binding-mismatch on an answered request stops only that route, never the fleet, with a critical alert', async () => {
    const k = await enrolledKiosk();
    const r = await k.request(t.vrs.box.publicKey, '271004');
    k.send({
      v: 1,
      type: 'issue.outcome',
      requestId: r.requestId,
      outcome: 'binding-mismatch',
      code: 'ENVELOPE_BINDING_MISMATCH',
    });
    await waitUntil(() => t.relay.control.stops.isStopped('271004'));
    expect(t.relay.control.stops.isStopped('fleet')).toBe(false);
    expect(t.relay.control.stops.isStopped('131016')).toBe(false);
    await waitUntil(async () =>
      (await alertsFor(k.kioskId)).some((a) => a.kind === 'binding-mismatch' && a.severity === 'critical'),
    );
    expect((await t.relay.control.stops.list()).map((s) => [s.scope, s.stoppedBy])).toEqual([
      ['271004', 'automatic'],
    ]);
    await t.relay.control.resumeIssuance('271004', 'test');
    k.close();
  });
});

describe('message rates', () => {
  it('a kiosk flooding heartbeats is struck, banned and disconnected; its source is not banned', async () => {
    const k = await enrolledKiosk();
    for (let i = 1; i <= 200; i++)
      k.send({
        v: 1,
        type: 'heartbeat',
        seq: i,
        health: {
          reader: 'ok',
          printer: 'ok',
          paper: 'ok',
          pinpad: 'ok',
          coin: 'ok',
          hopper: 'ok',
          software: 't',
        },
      });
    await k.closed;
    expect(k.closeCode).toBe(4429);
    expect(t.relay.control.bans.isBanned('identity', k.kioskId)).toBe(true);
    expect(t.relay.control.bans.isBanned('source', '127.0.0.1')).toBe(false);
    await waitUntil(async () => (await alertsFor(k.kioskId)).some((a) => a.kind === 'rate-limit'));
  });

  it('requests over the rate get RELAY_BUSY, without work or a record', async () => {
    const k = await enrolledKiosk();
    const ids = Array.from({ length: 7 }, () => newRequestId(nodeCrypto)); // burst 5, then two over
    const replies = ids.map((id) => k.waitFor(id));
    for (const id of ids) k.send({ v: 1, type: 'municipalities.request', requestId: id });
    const codes = (await Promise.all(replies)).map((m) => (m.type === 'issue.error' ? m.code : m.type));
    expect(codes.filter((c) => c === 'municipalities.response').length).toBeLessThanOrEqual(6);
    expect(codes).toContain('RELAY_BUSY');
    expect(await recordsFor(k.kioskId)).toEqual([]);
    k.close();
  });
});

describe('oversize frames (item 6)', () => {
  it('a 70 KB frame from an authenticated kiosk is counted as a malformed frame against its identity', async () => {
    const k = await enrolledKiosk();
    k.sendRaw(new Uint8Array(70 * 1024));
    await k.closed;
    expect(k.closeCode).toBe(1009);
    await waitUntil(async () =>
      (await alertsFor(k.kioskId)).some(
        (a) => a.kind === 'malformed-frame' && a.detail['code'] === 'CHANNEL_FRAME_TOO_LARGE',
      ),
    );
    // Three in a minute ban the identity, like any other malformed frame.
    for (let i = 0; i < 2; i++) {
      const again = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, {
        identity: k.identity,
      });
      if (!again.ok) break;
      await again.kiosk.heartbeat(0);
      again.kiosk.sendRaw(new Uint8Array(70 * 1024));
      await again.kiosk.closed;
    }
    await waitUntil(() => t.relay.control.bans.isBanned('identity', k.kioskId));
  });
});
