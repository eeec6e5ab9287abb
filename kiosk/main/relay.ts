import type { Logger } from '../../common/log.js';
import type { CryptoProvider, DeviceHealth, Identity, IssuedBody } from '../../protocol/index.js';
import type { RelayPort } from '../core/flow/index.js';
import { RelayClient, relayClientPort } from '../core/relay-client/index.js';
import { SOFTWARE_VERSION } from './runtime.js';

export interface KioskRelay {
  client: RelayClient;
  /** The flow's relay port, reporting outcomes of answered requests to the relay. */
  port: RelayPort<IssuedBody>;
  /** Heartbeats report this once the devices run (until then: unknown). */
  setHealth(source: () => DeviceHealth): void;
}

/** The kiosk's line to the relay: `RelayClient` (started) and the flow's port over it. */
export function startKioskRelay(options: {
  url: string;
  relayPublicKey: Uint8Array;
  vrsBoxPublicKey: Uint8Array;
  identity: Identity;
  crypto: CryptoProvider;
  logger?: Logger;
  /** How long the kiosk waits for an answer (RelayClient's default, 20 s, when absent; fault tests shorten it). */
  requestTimeoutMs?: number;
}): KioskRelay {
  let health: () => DeviceHealth = () => ({
    reader: 'unknown',
    printer: 'unknown',
    paper: 'unknown',
    pinpad: 'unknown',
    coin: 'unknown',
    hopper: 'unknown',
    software: SOFTWARE_VERSION,
  });
  const client = new RelayClient({ ...options, health: () => health() });
  client.start();
  const p = relayClientPort(client, options.crypto);
  const port: RelayPort<IssuedBody> = {
    available: () => p.available(),
    onAvailability: (l) => p.onAvailability?.(l) ?? (() => undefined),
    municipalities: () => p.municipalities(),
    issue: (req) => p.issue(req),
    outcome: (outcome, code) => {
      const id = p.lastRequestId();
      if (id) p.reportOutcome(id, outcome, code);
    },
  };
  return { client, port, setHealth: (source) => (health = source) };
}
