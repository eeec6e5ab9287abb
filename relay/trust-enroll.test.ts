import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { generateIdentity, keyId } from '../protocol/index.js';
import { startTestRelay, waitUntil, type TestRelay } from './testing/harness.js';
import { TestKiosk } from './testing/test-kiosk.js';

/** Issue 12 items 4 and 5: enrollment guessing is throttled and alerted; it never bans kiosks or burns codes. */
let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
}, 120_000);
afterAll(async () => {
  await t.stop();
});

function enroll(body: unknown, localAddress = '127.0.0.1'): Promise<{ status: number; code: string }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      t.relay.info.enroll,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (res) => {
        let b = '';
        res.on('data', (c: Buffer) => (b += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, code: (JSON.parse(b) as { code?: string }).code ?? 'ok' }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
const newKey = () => keyId(generateIdentity(nodeCrypto).publicKey);

describe('wrong enrollment codes', () => {
  it('from the address of a connected kiosk throttle enrollment there, and never touch the kiosk', async () => {
    const identity = generateIdentity(nodeCrypto);
    await t.relay.control.kiosks.insert(keyId(identity.publicKey), 'innocent');
    const c = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity });
    if (!c.ok) throw new Error(`connect refused: ${c.code}`);
    await c.kiosk.heartbeat(0);
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) codes.push((await enroll({ code: 'AAAAAAAA', publicKey: newKey() })).code);
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('RELAY_ENROLL_CODE_INVALID'));
    expect(codes.slice(5)).toEqual(Array(3).fill('RELAY_ENROLL_THROTTLED'));
    expect(await c.kiosk.heartbeat(1)).toMatchObject({ type: 'heartbeat.ack' });
    expect(t.relay.control.bans.isBanned('source', '127.0.0.1')).toBe(false);
    c.kiosk.close();
    await c.kiosk.closed;
    const again = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity });
    expect(again.ok).toBe(true);
    if (again.ok) again.kiosk.close();
    await waitUntil(async () =>
      (await t.relay.control.alerts.list()).some(
        (a) => a.kind === 'enroll-brute-force' && a.source === '127.0.0.1',
      ),
    );
  });

  it('sent with a guessable store name never burn that store code', async () => {
    const { code } = await t.relay.control.createEnrollCode('store-9999', undefined, 'test');
    for (let i = 0; i < 4; i++) {
      const r = await enroll(
        { code: 'BBBBBBBB', publicKey: newKey(), name: 'store-9999' },
        `127.0.5.${i + 1}`,
      );
      expect(r.code).toBe('RELAY_ENROLL_CODE_INVALID');
    }
    const key = newKey();
    expect(await enroll({ code, publicKey: key, name: 'store-9999' }, '127.0.5.99')).toEqual({
      status: 200,
      code: 'ok',
    });
    expect(t.relay.control.kiosks.status(key)).toBe('active');
  });

  it('from many addresses raise one distributed-guessing alert and throttle enrollment as a whole', async () => {
    const results: string[] = [];
    for (let i = 0; i < 60; i++)
      results.push(
        (await enroll({ code: 'CCCCCCCC', publicKey: newKey(), name: `store-${i}` }, `127.0.6.${i + 1}`))
          .code,
      );
    expect(results).toContain('RELAY_ENROLL_THROTTLED');
    await waitUntil(async () =>
      (await t.relay.control.alerts.list()).some(
        (a) => a.kind === 'enroll-guessing' && a.severity === 'critical' && a.detail['target'] === '*',
      ),
    );
    expect((await t.relay.control.bans.list()).filter((b) => b.scope === 'source')).toEqual([]);
  });
});
