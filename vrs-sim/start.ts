import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { nodeCrypto } from '../common/crypto-node.js';
import { openDb, type Db } from '../common/db.js';
import { createLogger, type Logger } from '../common/log.js';
import { toBase64Url, type CryptoProvider, type Identity } from '../protocol/index.js';
import { AlertCenter, ResidentSpread } from './alerts.js';
import { CertificateIssuer } from './certs/issuer.js';
import { ensureTls, ensureVdsNcSigner } from './certs/pki.js';
import { SigningKeys } from './certs/signing-keys.js';
import { createDirectoryApp, startDirectory } from './directory.js';
import { startEndpoint } from './endpoint.js';
import { RequestHandler } from './handler.js';
import { JpkiAuthenticator } from './jpki/authenticator.js';
import { KenhojoIssuer } from './kenhojo-issuer.js';
import { CrlValidity } from './jpki/crl.js';
import { jlisFeed, type JlisSource } from './jpki/jlis-feed.js';
import { SerialLinks } from './jpki/links.js';
import { UsedNonces } from './jpki/nonces.js';
import { loadFixtures } from './seed/fixtures.js';
import { loadVrsKeys, toKey } from './identity.js';
import { seedStore } from './seed/seed.js';
import { VrsService } from './service.js';
import { missingMunicipalityKeys, VrsTopologyError } from './topology.js';
import { KeyStore } from './storage/keystore.js';
import { ResidentStore } from './storage/store.js';
import { checkSigningKeysPresent } from './storage/signing-guard.js';

export interface VrsOptions {
  /** Keys, TLS material, PGlite data and signing keys live here. */
  stateDir: string;
  /** A PostgreSQL URL; absent = embedded PGlite in `<stateDir>/db`. */
  dbUrl?: string | undefined;
  /** The LGWAN-side address of the endpoint (default 127.0.0.1) and its port (0 = any free port). */
  lgwanHost?: string;
  lgwanPort?: number;
  /** The key directory's HTTPS address (default 127.0.0.1) and port (0 = any free port). */
  httpsHost?: string;
  httpsPort?: number;
  /** The SHC `iss`; default `https://<httpsHost>:<port>/issuer`. */
  issuerUrl?: string;
  /** Pinned relay identity keys (base64url or bytes). */
  relayPublicKeys: readonly (string | Uint8Array)[];
  /**
   * The 券面事項入力補助AP issuer's X.509 certificate (PEM text or DER bytes) for カードAP requests. Default: the
   * J-LIS stand-in's `kenhojo-signer.pem` in `jpki.jlisStateDir`.
   */
  kenhojoIssuerCertificate?: string | Uint8Array | undefined;
  /**
   * JPKI authentication (PROTOCOL.md): the J-LIS stand-in's state folder (its CA certificate, CRL and serial
   * links, read as data) and the municipalities that chose カードAP instead. Absent: カードAP everywhere.
   */
  jpki?:
    | (JlisSource & { cardApMunicipalities?: readonly string[] | undefined; refreshMs?: number | undefined })
    | undefined;
  /** Seed fictional residents (and the fixture residents) on start; skipped per municipality already seeded. */
  seed?:
    | { perMunicipality: number; seed: string | number; municipalities?: readonly string[] | 'all' }
    | undefined;
  /** Intrusion detection: more than `threshold` different residents from one kiosk in `windowMs`. */
  ids?: { threshold?: number; windowMs?: number };
  /** Channel timings (tests shorten them). */
  endpoint?: { handshakeTimeoutMs?: number; heartbeatMs?: number; maxInFlight?: number };
  crypto?: CryptoProvider;
  log?: Logger;
}

/** The `npm run vrs` JSON line. */
export interface VrsInfo {
  lgwan: string;
  jwks: string;
  issuer: string;
  identityPublicKey: string;
  boxPublicKey: string;
}

export interface RunningVrs {
  info: VrsInfo;
  /** PEM of the key directory's self-signed TLS certificate (clients pin it). */
  tlsCertificate: string;
  identity: Identity;
  db: Db;
  store: ResidentStore;
  keyStore: KeyStore;
  signingKeys: SigningKeys;
  service: VrsService;
  issuer: CertificateIssuer;
  alerts: AlertCenter;
  connectedRelays(): number;
  stop(): Promise<void>;
}

function loadKenhojoIssuer(o: VrsOptions): KenhojoIssuer {
  let cert = o.kenhojoIssuerCertificate;
  if (cert === undefined && o.jpki?.jlisStateDir !== undefined)
    cert = readFileSync(join(o.jpki.jlisStateDir, 'kenhojo-signer.pem'), 'utf8');
  if (cert === undefined)
    throw new TypeError(
      'kenhojoIssuerCertificate: the card issuer certificate (or jpki.jlisStateDir) is required',
    );
  return KenhojoIssuer.fromCertificate(cert);
}

/** Starts the VRS stand-in: storage, seed, key directory (HTTPS) and the LGWAN endpoint. */
export async function startVrs(o: VrsOptions): Promise<RunningVrs> {
  if (typeof o?.stateDir !== 'string' || o.stateDir === '')
    throw new TypeError('stateDir: folder path expected');
  if (!Array.isArray(o.relayPublicKeys)) throw new TypeError('relayPublicKeys: array of keys expected');
  const relayKeys = o.relayPublicKeys.map((k, i) => toKey(k, `relayPublicKeys[${i}]`));
  const kenhojoIssuer = loadKenhojoIssuer(o);
  const crypto = o.crypto ?? nodeCrypto;
  const log = o.log ?? createLogger('vrs');
  const keys = loadVrsKeys(o.stateDir, crypto);
  const db = await openDb({ url: o.dbUrl, dataDir: join(o.stateDir, 'db') });
  const cleanups: (() => Promise<void>)[] = [() => db.close()];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const keyStore = new KeyStore(join(o.stateDir, 'keys'));
    const alerts = new AlertCenter({ db, log: log.child('ids') });
    cleanups.push(() => alerts.flushed());
    const store = await ResidentStore.open(db, keyStore, {
      alert: (kind, text) => alerts.raise(kind, { source: 'key-store', text }),
    });
    // Topology self-check: every municipality with a key on record still has it (vrs-sim/topology.ts).
    const missing = await missingMunicipalityKeys(db, store);
    if (missing.length > 0) {
      log.error('topology.refused', { code: 'VRS_TOPOLOGY_KEY_MISSING', municipalities: missing.length });
      throw new VrsTopologyError(missing);
    }
    if (o.seed !== undefined) {
      const t0 = performance.now();
      const r = await seedStore(store, {
        perMunicipality: o.seed.perMunicipality,
        seed: o.seed.seed,
        ...(o.seed.municipalities ? { municipalities: o.seed.municipalities } : {}),
      });
      for (const x of r.refused) log.warn('seed.refused', { municipality: x.municipality, code: x.code });
      log.info('seeded', {
        inserted: r.inserted,
        skipped: r.skipped.length,
        ms: Math.round(performance.now() - t0),
      });
    }
    await checkSigningKeysPresent(db, o.stateDir);
    const signingKeys = new SigningKeys(join(o.stateDir, 'signing'));
    const httpsHost = o.httpsHost ?? '127.0.0.1';
    const tls = await ensureTls(o.stateDir, [httpsHost]);
    let iss = o.issuerUrl ?? '';
    const issuer = new CertificateIssuer({
      db,
      keys: signingKeys,
      vdsnc: await ensureVdsNcSigner(o.stateDir),
      iss: () => iss,
    });
    const directory = await startDirectory(
      createDirectoryApp(issuer, log.child('directory')),
      tls,
      httpsHost,
      o.httpsPort ?? 0,
    );
    cleanups.push(() => directory.close());
    const hostPart = httpsHost.includes(':') ? `[${httpsHost}]` : httpsHost;
    if (iss === '') iss = `https://${hostPart}:${directory.port}/issuer`;
    const service = new VrsService(store);
    let jpki: JpkiAuthenticator | undefined;
    if (o.jpki !== undefined) {
      const feed = jlisFeed(o.jpki, loadFixtures());
      const refresh = o.jpki.refreshMs !== undefined ? { refreshMs: o.jpki.refreshMs } : {};
      jpki = new JpkiAuthenticator({
        caCertificate: feed.caCertificate,
        validity: new CrlValidity({ caCertificate: feed.caCertificate, load: feed.loadCrl, ...refresh }),
        links: new SerialLinks({ load: feed.loadLinks, ...refresh }),
        nonces: await UsedNonces.open(db),
        cardApMunicipalities: o.jpki.cardApMunicipalities ?? [],
      });
    }
    const handler = new RequestHandler({
      db,
      service,
      issuer,
      alerts,
      spread: new ResidentSpread(o.ids ?? {}),
      crypto,
      boxSecretKey: keys.boxSecretKey,
      kenhojoIssuer,
      ...(jpki ? { jpki } : {}),
      log: log.child('request'),
      served: (code) => !store.isShredded(code),
    });
    const endpoint = await startEndpoint({
      host: o.lgwanHost ?? '127.0.0.1',
      port: o.lgwanPort ?? 0,
      identity: keys.identity,
      crypto,
      relayPublicKeys: relayKeys,
      handler,
      alerts,
      log: log.child('lgwan'),
      ...o.endpoint,
    });
    cleanups.push(() => endpoint.close());
    const info: VrsInfo = {
      lgwan: endpoint.url,
      jwks: `${iss}/.well-known/jwks.json`,
      issuer: iss,
      identityPublicKey: toBase64Url(keys.identity.publicKey),
      boxPublicKey: toBase64Url(keys.boxPublicKey),
    };
    log.info('started', { lgwan: info.lgwan, jwks: info.jwks });
    return {
      info,
      tlsCertificate: tls.cert,
      identity: keys.identity,
      db,
      store,
      keyStore,
      signingKeys,
      service,
      issuer,
      alerts,
      connectedRelays: () => endpoint.connectedRelays(),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
