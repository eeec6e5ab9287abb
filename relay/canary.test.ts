import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { generateIdentity, keyId } from '../protocol/index.js';
import { startTestRelay, waitUntil, type TestRelay } from './testing/harness.js';
import { CANARY, CANARY_CARD, TestKiosk } from './testing/test-kiosk.js';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(async () => {
  await t.stop();
});

/** Every form a canary could take on its way through: plain, base64, base64url, hex. */
function forms(value: string): string[] {
  const b = Buffer.from(value, 'utf8');
  return [value, b.toString('base64').replace(/=+$/, ''), b.toString('base64url'), b.toString('hex')];
}

describe('canary: personal data inside sealed requests never reaches the relay in clear', () => {
  it('logs, every table and the metrics contain none of it', async () => {
    const kiosks: TestKiosk[] = [];
    for (let i = 0; i < 5; i++) {
      const identity = generateIdentity(nodeCrypto);
      await t.relay.control.kiosks.insert(keyId(identity.publicKey), `store-${i}`);
      const r = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity });
      if (!r.ok) throw new Error('refused');
      kiosks.push(r.kiosk);
    }
    for (const k of kiosks) {
      await k.heartbeat(1);
      for (let j = 0; j < 4; j++) {
        const r = await k.request(t.vrs.box.publicKey, '131016');
        expect(r.opened?.ok).toBe(true);
        k.send({ v: 1, type: 'issue.outcome', requestId: r.requestId, outcome: 'printed' });
      }
    }
    // A few refusals and alerts too, so every table has rows.
    await t.relay.control.stopIssuance('271004', 'drill', 'canary-test');
    expect((await kiosks[0]!.request(t.vrs.box.publicKey, '271004')).reply.type).toBe('issue.error');
    await t.relay.control.resumeIssuance('271004', 'canary-test');
    kiosks[1]!.sendRaw('garbage');
    await kiosks[1]!.closed;
    await t.relay.control.createEnrollCode('canary-store', undefined, 'canary-test');
    // The garbage frame's alert is written after the kiosk was closed: wait for it, not for a time.
    await waitUntil(async () =>
      (await t.relay.control.alerts.list({ limit: 100 })).some((a) => a.kind === 'malformed-frame'),
    );

    const tables = await t.relay.db.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(tables.rows.length).toBeGreaterThanOrEqual(7);
    let dump = '';
    for (const { tablename } of tables.rows) {
      const rows = await t.relay.db.query(`SELECT * FROM ${tablename}`);
      dump += JSON.stringify(rows.rows);
    }
    expect(dump).toContain('issue.answered'); // the dump is real
    const haystacks = {
      logs: t.logLines.join('\n'),
      database: dump,
      metrics: t.relay.metrics.render(),
    };
    const needles = [
      ...Object.values(CANARY).flatMap(forms),
      ...Object.values(CANARY_CARD).filter((v) => v.length > 12),
    ];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of needles) {
        expect(text.includes(needle), `${where} contains a canary form`).toBe(false);
      }
    }
    expect(haystacks.logs.length).toBeGreaterThan(0);
    for (const k of kiosks) k.close();
  });
});
