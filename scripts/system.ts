import { randomBytes } from 'node:crypto';
import { codeOf, coded } from '../protocol/errors/index.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCrypto } from '../common/crypto-node.js';
import type { Logger } from '../common/log.js';
import { createLogger } from '../common/log.js';
import { fromBase64Url, keyId, type IssuedBody } from '../protocol/index.js';
import { loadPanelPage } from '../hardware-sim/panel/page.js';
import { startSimulator, type RunningSimulator } from '../hardware-sim/runtime.js';
import { startRelay, type Relay } from '../relay/relay.js';
import { loadIdentity } from '../relay/identity-file.js';
import { startVrs, type RunningVrs } from '../vrs-sim/start.js';
import { certificatePort } from '../kiosk/core/devices/index.js';
import { enrollKiosk } from '../kiosk/core/relay-client/index.js';
import { startKioskRelay, type KioskRelay } from '../kiosk/main/relay.js';
import type { FlowConfig } from '../kiosk/core/flow/index.js';
import { startHost, type RunningHost } from '../kiosk/host/index.js';
import { startKioskRuntime, type KioskRuntime } from '../kiosk/main/runtime.js';
import { loadKioskIdentity } from '../kiosk/main/identity.js';
import { checkKioskTopology } from '../kiosk/main/topology.js';
import type { KioskConfig } from '../kiosk/main/config.js';

export interface SystemOptions {
  /** Everything the services keep (keys, databases, the simulators' ports) lives under here. */
  stateDir: string;
  /** Fixed ports for `npm start` (0 = any free port, as in tests). */
  ports?: { kiosk?: number; panel?: number };
  /** Fictional residents seeded per municipality in the VRS stand-in. */
  seedPerMunicipality?: number;
  flow?: Partial<FlowConfig>;
  /** The kiosk runs elsewhere (Electron): start only the rest and return `kioskConfig` (see `startBackendOnly`). */
  external?: boolean;
  /**
   * How the kiosk authenticates residents (default `jpki`), and the municipalities whose VRS configuration
   * chose カードAP instead (default none).
   */
  authMethod?: 'jpki' | 'card-ap';
  cardApMunicipalities?: readonly string[];
  /** Print-job stall limit (tests shorten it). */
  printerJobTimeoutMs?: number;
  log?: Logger;
}

/** The URLs a person or a test needs, as printed by `npm start`. */
export interface SystemUrls {
  /** The kiosk page WITHOUT its secret (`host.launchUrl()` makes the one-time URL that opens the kiosk). */
  kiosk: string;
  panel: string;
  relay: string;
  jwks: string;
  /** The operators' dashboard (sign in as the demo admin, see `dashboardLogin`). */
  dashboard: string;
}

export interface RunningSystem {
  urls: SystemUrls;
  sim: RunningSimulator;
  vrs: RunningVrs;
  relay: Relay;
  kiosk: KioskRuntime<IssuedBody>;
  link: KioskRelay;
  host: RunningHost;
  opsToken: string;
  /** The demo admin `npm start` creates, and the file (0600) its password is kept in. */
  dashboardLogin: { name: string; password: string; file: string };
  /** The VRS key directory's TLS certificate (PEM), to fetch the JWKS. */
  vrsTlsCertificate: string;
  /** Stops one part (fault tests) or everything, in reverse order. */
  stopRelay(): Promise<void>;
  stopVrs(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The VRS key directory's port. The SMART Health Card `iss` URL contains it, so a certificate printed
 * yesterday only verifies today if the directory comes back on the same port: the first free port is
 * remembered in the state folder and reused (falling back to a fresh one if it is taken).
 */
async function startVrsRemembering(
  dir: string,
  options: Omit<Parameters<typeof startVrs>[0], 'httpsPort'>,
  log: Logger,
): Promise<RunningVrs> {
  const file = join(dir, 'https-port');
  const saved = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0;
  let vrs: RunningVrs;
  try {
    vrs = await startVrs({ ...options, httpsPort: Number.isInteger(saved) ? saved : 0 });
  } catch (err) {
    if (saved === 0 || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
    log.warn('vrs-directory-port-taken', { port: saved });
    vrs = await startVrs({ ...options, httpsPort: 0 });
  }
  const port = Number(new URL(vrs.info.jwks).port);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${port}\n`);
  return vrs;
}

/**
 * The local system's demo admin account: created on the first start with a random password, which is kept
 * in `relay/dashboard-admin.json` (0600) in the state folder; later starts reuse it.
 */
async function demoAdmin(relay: Relay, relayDir: string) {
  const file = join(relayDir, 'dashboard-admin.json');
  const name = 'demo-admin';
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { name: string; password: string };
    const known = (await relay.operators.list()).some((o) => o.name === saved.name && !o.disabled);
    if (known) return { ...saved, file };
  }
  const password = randomBytes(18).toString('base64url');
  await relay.operators.add(name, 'admin', password, 'npm-start', true);
  writeFileSync(file, JSON.stringify({ name, password }) + '\n', { mode: 0o600 });
  return { name, password, file };
}

/** Loads or creates an Ed25519 identity seed file in `dir` (0600). */
function identityIn(dir: string) {
  return loadIdentity(dir, undefined, nodeCrypto);
}

/**
 * Starts the whole system on loopback: the hardware simulators with the control panel, the VRS stand-in
 * (seeded with fictional residents), the relay pinned to VRS and VRS to the relay, then the kiosk: enrolled
 * with a one-time code from the relay's operations API, its core on the simulated devices, its renderer
 * served on loopback. Used by `npm start` and by the end-to-end tests (with port 0 and a temp folder).
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const log = options.log ?? createLogger('system');
  const dir = options.stateDir;
  mkdirSync(dir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const sim = await startSimulator({
      stateDir: join(dir, 'sim'),
      panelPort: options.ports?.panel ?? 0,
      page: loadPanelPage,
    });
    stops.push(() => sim.stop());

    const relayDir = join(dir, 'relay');
    const relayIdentity = identityIn(relayDir);
    const vrs = await startVrsRemembering(
      join(dir, 'vrs'),
      {
        stateDir: join(dir, 'vrs'),
        relayPublicKeys: [keyId(relayIdentity.publicKey)],
        kenhojoIssuerCertificate: readFileSync(join(dir, 'sim', 'jlis', 'kenhojo-signer.pem'), 'utf8'),
        jpki: {
          jlisStateDir: join(dir, 'sim', 'jlis'),
          cardApMunicipalities: options.cardApMunicipalities ?? [],
        },
        seed: { perMunicipality: options.seedPerMunicipality ?? 5, seed: 'npm-start' },
        log: log.child('vrs'),
      },
      log,
    );
    let vrsUp = true;
    stops.push(async () => {
      if (vrsUp) await vrs.stop();
      vrsUp = false;
    });

    // The operations token is kept (0600) in the state folder so the operator can use the status page
    // and `npm run relay:cli` against a running `npm start` (RELAY_OPS_TOKEN=$(cat .state/relay/ops-token)).
    const tokenFile = join(relayDir, 'ops-token');
    mkdirSync(relayDir, { recursive: true });
    if (!existsSync(tokenFile))
      writeFileSync(tokenFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
    const opsToken = readFileSync(tokenFile, 'utf8').trim();
    const relay = await startRelay(
      {
        stateDir: relayDir,
        opsToken,
        vrsEndpoints: [{ url: vrs.info.lgwan, identityPublicKey: vrs.info.identityPublicKey }],
      },
      { log: log.child('relay') },
    );
    let relayUp = true;
    stops.push(async () => {
      if (relayUp) await relay.stop();
      relayUp = false;
    });
    const dashboardLogin = await demoAdmin(relay, relayDir);

    // Enrollment: the operator creates a one-time code; the kiosk registers its key with it.
    const kioskIdentityDir = join(dir, 'kiosk');
    const kioskIdentity = loadKioskIdentity(kioskIdentityDir, nodeCrypto);
    const created = await fetch(`${relay.info.ops}/api/enrollment-codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'store-kiosk-1' }),
    });
    const { code } = (await created.json()) as { code?: string };
    if (!created.ok || !code) throw new Error(`enrollment code not created (HTTP ${created.status})`);
    const enrolled = await enrollKiosk({
      relayEnrollUrl: relay.info.enroll,
      code,
      identity: kioskIdentity,
      relayPublicKey: relay.info.identityPublicKey,
      name: 'store-kiosk-1',
    });
    if (!enrolled.ok && enrolled.code !== 'RELAY_KIOSK_ALREADY_ENROLLED')
      throw coded(
        codeOf(enrolled, 'RELAY_ENROLL_CODE_INVALID'),
        `kiosk enrollment refused: ${enrolled.code}`,
      );

    const devices = {
      reader: sim.info['reader']!,
      printer: sim.info['printer']!,
      pinpad: sim.info['pinpad']!,
      coinAcceptor: sim.info['coinAcceptor']!,
      hopper: sim.info['hopper']!,
      ...(sim.info['noteValidator'] ? { noteValidator: sim.info['noteValidator'] } : {}),
    };
    if (options.external) {
      // The kiosk runs in another process (Electron): hand it its configuration instead.
      const kioskConfig: KioskConfig = {
        devices,
        flow: options.flow ?? {},
        authMethod: options.authMethod ?? 'jpki',
        relay: { url: relay.info.kiosk, publicKey: relay.info.identityPublicKey },
        vrsBoxPublicKey: vrs.info.boxPublicKey,
        identityDir: kioskIdentityDir,
        production: false,
        appRoot: process.cwd(),
      };
      return {
        urls: {
          kiosk: 'app://kiosk/',
          panel: sim.info['panel']!,
          relay: relay.info.ops,
          jwks: vrs.info.jwks,
          dashboard: `${relay.info.ops}/`,
        },
        sim,
        stop: stopAll,
        kioskConfig,
      } as unknown as RunningSystem & { kioskConfig: KioskConfig };
    }

    const relayPublicKey = fromBase64Url(relay.info.identityPublicKey);
    const vrsBoxPublicKey = fromBase64Url(vrs.info.boxPublicKey);
    if (!relayPublicKey || !vrsBoxPublicKey) throw new Error('relay or VRS published a malformed key');
    // The kiosk's topology self-checks (kiosk/main/topology.ts): pinned relay key, device models.
    await checkKioskTopology({
      devices,
      relay: { url: relay.info.kiosk, relayPublicKey, identity: kioskIdentity, crypto: nodeCrypto },
      log: log.child('kiosk.topology'),
    });
    const link = startKioskRelay({
      url: relay.info.kiosk,
      relayPublicKey,
      vrsBoxPublicKey,
      identity: kioskIdentity,
      crypto: nodeCrypto,
      logger: log.child('kiosk.relay'),
    });
    stops.push(() => link.client.stop());

    const kiosk = await startKioskRuntime<IssuedBody>(
      {
        devices,
        flow: options.flow ?? {},
        authMethod: options.authMethod ?? 'jpki',
        ...(options.printerJobTimeoutMs ? { printerJobTimeoutMs: options.printerJobTimeoutMs } : {}),
      },
      {
        relay: link.port,
        certificate: certificatePort,
        log: log.child('kiosk'),
        kioskId: link.client.kioskId,
      },
    );
    stops.push(() => kiosk.stop());
    link.setHealth(() => kiosk.health());
    kiosk.onHealthChange(() => link.client.reportHealth());
    const host = await startHost({
      core: kiosk.flow,
      port: options.ports?.kiosk ?? 0,
      log: log.child('kiosk.host'),
    });
    stops.push(() => host.close());

    return {
      urls: {
        kiosk: host.url,
        panel: sim.info['panel']!,
        relay: relay.info.ops,
        jwks: vrs.info.jwks,
        dashboard: `${relay.info.ops}/`,
      },
      sim,
      vrs,
      relay,
      kiosk,
      link,
      host,
      opsToken,
      dashboardLogin,
      vrsTlsCertificate: vrs.tlsCertificate,
      async stopRelay() {
        if (relayUp) await relay.stop();
        relayUp = false;
      },
      async stopVrs() {
        if (vrsUp) await vrs.stop();
        vrsUp = false;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** What `npm start` needs when the kiosk runs in Electron: the rest of the system and the kiosk's configuration. */
export async function startBackendOnly(
  options: Omit<SystemOptions, 'external'>,
): Promise<{ urls: SystemUrls; sim: RunningSimulator; kioskConfig: KioskConfig; stop(): Promise<void> }> {
  const r = (await startSystem({ ...options, external: true })) as unknown as {
    urls: SystemUrls;
    sim: RunningSimulator;
    kioskConfig: KioskConfig;
    stop(): Promise<void>;
  };
  return r;
}
