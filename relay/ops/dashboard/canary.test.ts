import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../../common/crypto-node.js';
import { generateIdentity, keyId } from '../../../protocol/index.js';
import { startTestRelay, type TestRelay } from '../../testing/harness.js';
import { CANARY, CANARY_CARD, TestKiosk } from '../../testing/test-kiosk.js';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
  await t.relay.operators.add('canary-admin', 'admin', 'canary-password-1', 'test');
}, 180_000);
afterAll(async () => {
  await t.stop();
});

const forms = (value: string): string[] => {
  const b = Buffer.from(value, 'utf8');
  return [value, b.toString('base64').replace(/=+$/, ''), b.toString('base64url'), b.toString('hex')];
};

describe('canary: no dashboard response carries personal data', () => {
  it('answers every dashboard route after canary transactions without a trace of them', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const identity = generateIdentity(nodeCrypto);
      const id = keyId(identity.publicKey);
      ids.push(id);
      await t.relay.control.kiosks.insert(id, `store-${i}`);
      const r = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity });
      if (!r.ok) throw new Error('refused');
      await r.kiosk.heartbeat(1);
      for (let j = 0; j < 3; j++) {
        const q = await r.kiosk.request(t.vrs.box.publicKey, '131016');
        expect(q.opened?.ok).toBe(true);
        r.kiosk.send({ v: 1, type: 'issue.outcome', requestId: q.requestId, outcome: 'printed' });
      }
      r.kiosk.close();
    }
    const origin = 'http://127.0.0.1:9';
    const login = await t.relay.ops.request(`${origin}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ name: 'canary-admin', password: 'canary-password-1' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const get = async (path: string) => {
      const res = await t.relay.ops.request(`${origin}${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      return res.text();
    };
    const paths = [
      '/',
      '/dash/app.js',
      '/dash/app.css',
      '/auth/session',
      '/api/status',
      '/api/fleet?limit=200',
      '/api/fleet?status=red',
      '/api/fleet/map',
      '/api/places',
      '/api/places/13',
      '/api/alerts',
      '/api/audit?limit=5000',
      '/api/audit/search?limit=500',
      '/api/audit/check',
      '/api/audit/export',
      '/api/operations',
      '/api/operators',
      '/api/enrollment-codes',
      '/api/stops',
      '/api/bans',
      '/api/kiosks',
      '/metrics',
      ...ids.flatMap((id) => [`/api/kiosks/${id}`, `/api/kiosks/${id}/detail`]),
    ];
    let all = '';
    for (const p of paths) all += await get(p);
    // The live stream: read until its first `live` event.
    const res = await t.relay.ops.request(`${origin}/api/dashboard/stream`, { headers: { cookie } });
    const reader = res.body!.getReader();
    let stream = '';
    while (!stream.includes('event: live')) {
      const { value, done } = await reader.read();
      if (done) break;
      stream += new TextDecoder().decode(value);
    }
    await reader.cancel();
    all += stream;
    expect(all).toContain('issue.answered'); // the responses are real
    const needles = [
      ...Object.values(CANARY).flatMap(forms),
      ...Object.values(CANARY_CARD).filter((v) => v.length > 12),
    ];
    for (const needle of needles)
      expect(all.includes(needle), 'a dashboard response contains a canary form').toBe(false);
  });
});
