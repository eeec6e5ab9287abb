import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { setLogSink } from '../common/log.js';
import { createInitiator, fromBase64Url, generateIdentity, HELLO_HEADER } from '../protocol/index.js';
import { startVrs, type RunningVrs } from './start.js';
import { connectTestRelay } from './testing/relay-client.js';
import { testKenhojoIssuer } from './testing/requests.js';

const crypto = nodeCrypto;

describe('VRS endpoint timing and alert delivery', () => {
  let dir: string;
  let vrs: RunningVrs;
  const relay = generateIdentity(crypto);
  const vrsKey = () => fromBase64Url(vrs.info.identityPublicKey) as Uint8Array;

  beforeAll(async () => {
    setLogSink(() => undefined);
    dir = mkdtempSync(join(tmpdir(), 'vrs-timing-'));
    vrs = await startVrs({
      stateDir: dir,
      relayPublicKeys: [relay.publicKey],
      kenhojoIssuerCertificate: (await testKenhojoIssuer()).certificate,
      endpoint: { handshakeTimeoutMs: 300 },
    });
  });
  afterAll(async () => {
    await vrs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a channel whose finished frame never comes, and keeps the alert for the next relay', async () => {
    // A genuine hello from the pinned relay key, then silence.
    const init = createInitiator({ identity: relay, peerPublicKey: vrsKey(), crypto });
    const ws = new WebSocket(vrs.info.lgwan, { headers: { [HELLO_HEADER]: init.hello } });
    ws.on('error', () => undefined);
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBeGreaterThan(0);
    expect(vrs.connectedRelays()).toBe(0);
    expect(
      vrs.alerts.recent().some((a) => a.kind === 'handshake-failed' && a.detail.includes('finished')),
    ).toBe(true);
    // No relay was connected: the alert waits and reaches the first relay that connects.
    const client = await connectTestRelay({
      url: vrs.info.lgwan,
      identity: relay,
      vrsPublicKey: vrsKey(),
      crypto,
    });
    try {
      const alert = await client.next((m) => m.type === 'vrs.alert' && m.kind === 'handshake-failed');
      expect(alert).toMatchObject({ severity: 'warning' });
      expect(vrs.connectedRelays()).toBe(1);
    } finally {
      client.close();
    }
  });

  it('refuses a garbage first frame as a failed handshake', async () => {
    const init = createInitiator({ identity: relay, peerPublicKey: vrsKey(), crypto });
    const ws = new WebSocket(vrs.info.lgwan, { headers: { [HELLO_HEADER]: init.hello } });
    ws.on('error', () => undefined);
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    ws.send(new Uint8Array(100));
    expect(await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)))).toBeGreaterThan(0);
    expect(vrs.connectedRelays()).toBe(0);
  });
});
