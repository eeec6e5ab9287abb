import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../common/crypto-node.js';
import { createLogger } from '../../common/log.js';
import { CcTalkPort } from '../../hardware-sim/coin/serial-port.js';
import { SimCcTalkDevice, type CcTalkAnswer } from '../../hardware-sim/coin/cctalk-device.js';
import { loadPanelPage } from '../../hardware-sim/panel/page.js';
import { startSimulator } from '../../hardware-sim/runtime.js';
import { generateIdentity } from '../../protocol/index.js';
import { HEADER } from '../drivers/coin/cctalk-frame.js';
import { startTestResponder } from '../core/relay-client/testing/responder.js';
import { KioskTopologyError, checkDeviceModels, checkKioskTopology, checkRelayKey } from './topology.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-topology-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = createLogger('kiosk', () => undefined);

/** A change hopper wired to the coin acceptor's port: it answers at the acceptor's address, as a Payout. */
class HopperOnAcceptorPort extends SimCcTalkDevice {
  constructor() {
    super(2);
  }
  protected handle(header: number): CcTalkAnswer {
    if (header === HEADER.requestEquipmentCategory) return { data: [...Buffer.from('Payout')] };
    return { data: [] };
  }
}

describe('kiosk topology: the relay proves the pinned key', { timeout: 60_000 }, () => {
  it('passes for the pinned relay, refuses another key, leaves an unreachable relay unchecked', async () => {
    const kiosk = generateIdentity(nodeCrypto);
    const relay = generateIdentity(nodeCrypto);
    const responder = await startTestResponder({
      identity: relay,
      crypto: nodeCrypto,
      kioskKeys: [kiosk.publicKey],
    });
    try {
      const base = { url: responder.url, identity: kiosk, crypto: nodeCrypto };
      expect(await checkRelayKey({ ...base, relayPublicKey: relay.publicKey })).toBeNull();
      const other = generateIdentity(nodeCrypto).publicKey;
      const wrong = await checkRelayKey({ ...base, relayPublicKey: other });
      expect(wrong !== null && 'code' in wrong ? wrong.code : wrong).toBe('KIOSK_TOPOLOGY_RELAY_KEY');
    } finally {
      await responder.close();
    }
    const gone = await checkRelayKey({
      url: responder.url,
      identity: kiosk,
      crypto: nodeCrypto,
      relayPublicKey: relay.publicKey,
    });
    expect(gone).toEqual({ unchecked: 'RELAY_UNREACHABLE' });
  });
});

describe('kiosk topology: devices answer with the expected models', { timeout: 120_000 }, () => {
  it('the simulators pass; a hopper on the coin acceptor port is refused with the port and the model', async () => {
    const sim = await startSimulator({ stateDir: join(dir, 'sim'), panelPort: 0, page: loadPanelPage });
    const foreign = new CcTalkPort(join(dir, 'foreign'), 'acceptor', new HopperOnAcceptorPort());
    try {
      const devices = {
        reader: sim.info['reader']!,
        printer: sim.info['printer']!,
        pinpad: sim.info['pinpad']!,
        coinAcceptor: sim.info['coinAcceptor']!,
        hopper: sim.info['hopper']!,
      };
      expect(await checkDeviceModels(devices)).toEqual([]);

      await foreign.plug();
      const swapped = { ...devices, coinAcceptor: foreign.pair.hostPath };
      const problems = await checkDeviceModels(swapped);
      expect(problems.map((p) => [p.code, p.detail])).toEqual([
        ['KIOSK_TOPOLOGY_DEVICE_MODEL', { role: 'coinAcceptor', expected: 'Coin Acceptor', found: 'Payout' }],
      ]);
      // Together with the relay check: a refusal that lists it (the relay here is unreachable: unchecked).
      const err = await checkKioskTopology({
        devices: swapped,
        relay: {
          url: 'ws://127.0.0.1:9/kiosk',
          identity: generateIdentity(nodeCrypto),
          relayPublicKey: generateIdentity(nodeCrypto).publicKey,
          crypto: nodeCrypto,
        },
        log: quiet,
      }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KioskTopologyError);
      expect((err as KioskTopologyError).code).toBe('KIOSK_TOPOLOGY_DEVICE_MODEL');
    } finally {
      await foreign.unplug().catch(() => undefined);
      await sim.stop();
    }
  });
});
