import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../../common/crypto-node.js';
import { generateIdentity, keyId, newRequestId, toBase64Url } from '../../../protocol/index.js';
import { OPS_TOKEN, startTestRelay, waitUntil, type TestRelay } from '../../../relay/testing/harness.js';
import { RelayClient } from './client.js';
import { enrollKiosk } from './enroll.js';

/** The client against the real relay (PGlite, temp folder) and its fake VRS peer, all on loopback. */
let t: TestRelay;
let client: RelayClient | undefined;

beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(async () => {
  await client?.stop();
  await t.stop();
});

describe('RelayClient with the real relay', () => {
  it('enrolls with a one-time code, connects, lists municipalities and gets a bound answer from VRS', async () => {
    const res = await t.relay.ops.request('/api/enrollment-codes', {
      method: 'POST',
      headers: { authorization: `Bearer ${OPS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'interop-store' }),
    });
    const { code } = (await res.json()) as { code: string };
    const identity = generateIdentity(nodeCrypto);
    const enrolled = await enrollKiosk({
      relayEnrollUrl: t.relay.info.enroll,
      code,
      identity,
      relayPublicKey: keyId(t.relay.identity.publicKey),
    });
    expect(enrolled).toEqual({ ok: true, kioskId: keyId(identity.publicKey) });

    client = new RelayClient({
      url: t.relay.info.kiosk,
      identity,
      relayPublicKey: t.relay.identity.publicKey,
      vrsBoxPublicKey: t.vrs.box.publicKey,
      crypto: nodeCrypto,
      health: () => ({
        reader: 'ok',
        printer: 'ok',
        paper: 'ok',
        pinpad: 'ok',
        coin: 'ok',
        hopper: 'ok',
        software: 'interop',
      }),
    });
    client.start();
    await waitUntil(() => client?.available() === true);
    const list = await client.requestMunicipalities();
    expect(list.ok && list.list).toEqual(['131016', '271004']);
    const b = (n: number) => toBase64Url(nodeCrypto.randomBytes(n));
    const r = await client.issue({
      request: {
        requestId: newRequestId(nodeCrypto),
        kioskId: client.kioskId,
        municipality: '131016',
        certType: 'domestic',
        copies: 1,
        card: { myNumberEf: b(14), basic4Ef: b(100), signatureEf: b(200), certificateEf: b(400) },
      },
    });
    expect(r).toEqual({ ok: true, answer: { outcome: 'no-record' } });
  });
});
