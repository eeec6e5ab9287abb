import { readFileSync } from 'node:fs';
import { coded } from '../../protocol/errors/index.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app } from 'electron';
import { nodeCrypto } from '../../common/crypto-node.js';
import { createLogger } from '../../common/log.js';
import { fromBase64Url } from '../../protocol/index.js';
import { certificatePort } from '../core/devices/index.js';
import { loadRendererAssets } from '../host/assets.js';
import { registerAppScheme, serveAppScheme } from './app-protocol.js';
import { parseKioskConfig } from './config.js';
import { loadKioskIdentity } from './identity.js';
import { connectWindow } from './ipc.js';
import { startKioskRelay } from './relay.js';
import { startKioskRuntime } from './runtime.js';
import { checkKioskTopology } from './topology.js';
import { createKioskWindow } from './window.js';

/**
 * The Electron main process, kept thin: one instance, the app scheme, the kiosk core (devices, relay link,
 * flow) and one window. Bundled by `npm start` (esbuild) next to `preload.cjs`; configured by the JSON file
 * named in `KIOSK_CONFIG`.
 */
const log = createLogger('kiosk');
registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();
else
  main().catch((err: unknown) => {
    // A kiosk that cannot start must not sit there windowless: say why (a code, never data) and exit, so the
    // supervisor restarts it and the relay sees the kiosk go away.
    const code = (err as { code?: unknown }).code;
    log.error('kiosk.start-failed', {
      code: typeof code === 'string' ? code : 'KIOSK_INTERNAL',
      error: err instanceof Error ? err.name : typeof err,
    });
    app.exit(1);
  });

async function main(): Promise<void> {
  const configPath = process.env['KIOSK_CONFIG'];
  if (!configPath) throw new Error('KIOSK_CONFIG: the path of the kiosk configuration file is required');
  const parsed = parseKioskConfig(readFileSync(configPath, 'utf8'));
  if (!parsed.ok) throw coded(parsed.code, parsed.message);
  const config = parsed.config;
  await app.whenReady();
  serveAppScheme(await loadRendererAssets(false, config.appRoot));
  const identity = loadKioskIdentity(config.identityDir, nodeCrypto);
  // Topology self-checks (kiosk/main/topology.ts): the pinned relay key and the devices' models; a wrong one
  // throws KioskTopologyError, logged below as kiosk.start-failed with its code.
  await checkKioskTopology({
    devices: config.devices,
    relay: {
      url: config.relay.url,
      relayPublicKey: fromBase64Url(config.relay.publicKey)!,
      identity,
      crypto: nodeCrypto,
    },
    log: log.child('topology'),
  });
  const relay = startKioskRelay({
    url: config.relay.url,
    relayPublicKey: fromBase64Url(config.relay.publicKey)!,
    vrsBoxPublicKey: fromBase64Url(config.vrsBoxPublicKey)!,
    identity,
    crypto: nodeCrypto,
    logger: log.child('relay'),
  });
  const runtime = await startKioskRuntime(config, {
    relay: relay.port,
    certificate: certificatePort,
    log,
    kioskId: relay.client.kioskId,
  });
  relay.setHealth(() => runtime.health());
  runtime.onHealthChange(() => relay.client.reportHealth());
  const here = dirname(fileURLToPath(import.meta.url));
  const win = createKioskWindow({ preload: join(here, 'preload.cjs'), production: config.production });
  const disconnect = connectWindow(runtime.flow, win);
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    disconnect();
    void Promise.allSettled([runtime.stop(), relay.client.stop()]).then(() => app.quit());
  });
  app.on('window-all-closed', () => app.quit());
}
