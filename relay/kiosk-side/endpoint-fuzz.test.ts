import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../common/crypto-node.js';
import { createInitiator, generateIdentity, keyId } from '../../protocol/index.js';
import { fuzzFrames, fuzzHellos } from '../testing/fuzz.js';
import { startTestRelay, type TestRelay } from '../testing/harness.js';
import { TestKiosk } from '../testing/test-kiosk.js';
import WebSocket from 'ws';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay({
    handshakeTimeoutMs: 300,
    ids: { sourceFailuresPerMinute: 1_000_000, identityFailuresPerMinute: 1_000_000 },
  });
});
afterAll(async () => {
  await t.stop();
});

describe('kiosk endpoint under bad input (bounded; the long run is tests/fuzz/relay.fuzz.ts)', () => {
  it('never upgrades a bad hello; every refusal is 401/403 with a documented code', async () => {
    await fuzzHellos(t.relay, 60);
  });

  it('closes on any bad frame with 4400 and a documented code, and stays up', async () => {
    await fuzzFrames(t.relay, 40);
    const identity = generateIdentity(nodeCrypto);
    await t.relay.control.kiosks.insert(keyId(identity.publicKey), null);
    const c = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity });
    expect(c.ok && (await c.kiosk.heartbeat(1)).type).toBe('heartbeat.ack');
  });

  it('closes a connection whose handshake is never completed (CHANNEL_HANDSHAKE_TIMEOUT)', async () => {
    const identity = generateIdentity(nodeCrypto);
    await t.relay.control.kiosks.insert(keyId(identity.publicKey), null);
    const init = createInitiator({ identity, peerPublicKey: t.relay.identity.publicKey, crypto: nodeCrypto });
    const ws = new WebSocket(t.relay.info.kiosk, { headers: { 'x-channel-hello': init.hello } });
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      ws.on('close', (c, r) => resolve([c, r.toString()])),
    );
    expect(code).toBe(4401);
    expect(reason).toBe('CHANNEL_HANDSHAKE_TIMEOUT');
  });
});
