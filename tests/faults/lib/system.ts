import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pgLib from 'pg';
import { nodeCrypto } from '../../../common/crypto-node.js';
import { createLogger, type Logger } from '../../../common/log.js';
import {
  createTestDatabase,
  startTestPostgres,
  type TestPostgres,
} from '../../../common/testing/postgres.js';
import { startSimulator, type RunningSimulator } from '../../../hardware-sim/runtime.js';
import { certificatePort } from '../../../kiosk/core/devices/index.js';
import type { FlowConfig } from '../../../kiosk/core/flow/index.js';
import { enrollKiosk } from '../../../kiosk/core/relay-client/index.js';
import { loadKioskIdentity } from '../../../kiosk/main/identity.js';
import { startKioskRelay, type KioskRelay } from '../../../kiosk/main/relay.js';
import { startKioskRuntime, type KioskRuntime } from '../../../kiosk/main/runtime.js';
import { fromBase64Url, identityFromSeed, keyId, type IssuedBody } from '../../../protocol/index.js';
import { RELAY_NODE_FLAGS } from '../../../relay/node-flags.js';
import type { RelayInfo } from '../../../relay/relay.js';
import type { VrsInfo } from '../../../vrs-sim/start.js';
import { spawnChild, type Child } from './children.js';
import { LinkProxy } from './proxy.js';

const RELAY_MAIN = fileURLToPath(new URL('../../../relay/main.ts', import.meta.url));
const VRS_CHILD = fileURLToPath(new URL('./vrs-child.ts', import.meta.url));

export interface FaultSystemOptions {
  /** Relay processes sharing the PostgreSQL (default 1); the kiosk's line leads to relay 0 first. */
  relays?: number;
  flow?: Partial<FlowConfig>;
  /** How long the kiosk waits for an answer (default 8 s: shorter than in production to keep runs short). */
  requestTimeoutMs?: number;
  printerJobTimeoutMs?: number;
}

type VrsChildInfo = VrsInfo & { inspect: string };

/** One row of the relay's audit log (no personal data: ids, kinds, codes, sizes). */
export interface AuditRow {
  seq: number;
  kind: string;
  request_id: string | null;
  kiosk_id: string | null;
  detail: Record<string, unknown>;
}

export interface FaultSystem {
  dir: string;
  pg: TestPostgres;
  /** The relay's database (PostgreSQL, as in production). */
  relayDbUrl: string;
  sim: RunningSimulator;
  kiosk: KioskRuntime<IssuedBody>;
  link: KioskRelay;
  /** The dedicated line (kiosk ⇄ relay) and LGWAN (relay ⇄ VRS). */
  line: LinkProxy;
  lgwan: LinkProxy;
  relays: (Child<RelayInfo> | undefined)[];
  vrs: Child<VrsChildInfo> | undefined;
  opsToken: string;
  panel<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Calls the operations API of relay `i` (default the first one running). */
  ops<T = unknown>(path: string, init?: { method?: string; body?: unknown; relay?: number }): Promise<T>;
  /** SIGKILLs relay `i`. */
  killRelay(i?: number): Promise<void>;
  /** Starts relay `i` again (same database, identity and configuration); the line leads to it. */
  startRelay(i?: number): Promise<void>;
  /** The line now leads to relay `i` (its kiosks' next connection goes there). */
  lineTo(i: number): void;
  killVrs(): Promise<void>;
  startVrs(): Promise<void>;
  audit(): Promise<AuditRow[]>;
  /** Runs SQL on the relays' database (fault set-ups). */
  sql(statements: string): Promise<void>;
  vrsIssuance(): Promise<{ request_id: string; outcome: string; code: string | null }[]>;
  /** Alerts stored after id `after`. */
  alerts(after?: number): Promise<{ id: number; kind: string; severity: string }[]>;
  /** Every log line and text column the system wrote, for the personal-data scan. */
  logFiles(): string[];
  relayDbText(): Promise<string>;
  stop(options?: { keep?: boolean }): Promise<void>;
}

/**
 * The whole system for the fault suite, every part that a fault kills in its own process: the VRS stand-in
 * (child process, embedded database), relay processes (`relay/main.ts`, children, on a throwaway Debian
 * PostgreSQL as in production), the hardware simulators and the kiosk core (this process: its drivers on
 * the simulators' ptys, its relay client over the dedicated line). Both links pass a `LinkProxy`, which is
 * how a fault acts at a precise point of a transaction, and how a restarted process is found again.
 */
export async function startFaultSystem(options: FaultSystemOptions = {}): Promise<FaultSystem> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-faults-'));
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const log: Logger = createLogger('faults', (line) => {
    try {
      // appendFileSync would be simpler; the stream keeps the suite's own process cheap.
      logStream.write(line + '\n');
    } catch {
      /* folder gone */
    }
  });
  const { createWriteStream } = await import('node:fs');
  const logStream = createWriteStream(join(logs, 'kiosk.log'), { flags: 'a' });
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const pg = await startTestPostgres();
    cleanups.push(() => pg.stop());
    const relayDbUrl = await createTestDatabase(pg.url, 'relay_faults');

    const sim = await startSimulator({ stateDir: join(dir, 'sim') });
    cleanups.push(() => sim.stop());

    const seed = randomBytes(32);
    const relayKey = identityFromSeed(new Uint8Array(seed), nodeCrypto).publicKey;
    const vrsConfig = {
      stateDir: join(dir, 'vrs'),
      relayPublicKeys: [keyId(relayKey)],
      kenhojoIssuerCertificate: readFileSync(join(dir, 'sim', 'jlis', 'kenhojo-signer.pem'), 'utf8'),
      jpki: { jlisStateDir: join(dir, 'sim', 'jlis') },
      seed: { perMunicipality: 2, seed: 'faults' },
      httpsPort: 0,
    };
    let vrs: Child<VrsChildInfo> | undefined = await spawnChild<VrsChildInfo>(
      VRS_CHILD,
      { FAULT_VRS: JSON.stringify(vrsConfig), LOG_LEVEL: 'info' },
      join(logs, 'vrs.log'),
    );
    // The key directory comes back on the same port after a restart (certificates name it).
    vrsConfig.httpsPort = Number(new URL(vrs.info.jwks).port);
    cleanups.push(async () => vrs?.stop());
    const lgwan = await LinkProxy.start(Number(new URL(vrs.info.lgwan).port));
    cleanups.push(() => lgwan.close());
    const lgwanUrl = new URL(vrs.info.lgwan);
    lgwanUrl.port = String(lgwan.port);

    const opsToken = randomBytes(24).toString('base64url');
    const relayEnv = (i: number) => ({
      DATABASE_URL: relayDbUrl,
      RELAY_STATE_DIR: join(dir, `relay-${i}`),
      RELAY_OPS_TOKEN: opsToken,
      RELAY_IDENTITY_SEED: seed.toString('base64'),
      RELAY_VRS_ENDPOINTS: JSON.stringify([
        { url: lgwanUrl.toString(), identityPublicKey: vrs!.info.identityPublicKey },
      ]),
      // Restarts and kills make the kiosk reconnect often from 127.0.0.1: no source ban for that.
      RELAY_IDS: JSON.stringify({ sourceFailuresPerMinute: 1000 }),
      LOG_LEVEL: 'info',
    });
    const relays: (Child<RelayInfo> | undefined)[] = [];
    const startRelayAt = async (i: number) => {
      mkdirSync(join(dir, `relay-${i}`), { recursive: true });
      relays[i] = await spawnChild<RelayInfo>(RELAY_MAIN, relayEnv(i), join(logs, `relay-${i}.log`), [
        ...RELAY_NODE_FLAGS,
      ]);
    };
    // The first relay creates the schema; the others join it.
    await startRelayAt(0);
    for (let i = 1; i < (options.relays ?? 1); i++) await startRelayAt(i);
    cleanups.push(async () => {
      for (const r of relays) await r?.stop();
    });
    const running = (i?: number) => {
      const r = i === undefined ? relays.find((x) => x !== undefined) : relays[i];
      if (r === undefined) throw new Error(`relay ${i ?? 'any'} is not running`);
      return r;
    };
    const line = await LinkProxy.start(Number(new URL(relays[0]!.info.kiosk).port));
    cleanups.push(() => line.close());
    const relayKioskUrl = new URL(relays[0]!.info.kiosk);
    relayKioskUrl.port = String(line.port);

    const ops = async <T>(path: string, init: { method?: string; body?: unknown; relay?: number } = {}) => {
      const r = await fetch(running(init.relay).info.ops + path, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const json = (await r.json()) as T;
      if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${JSON.stringify(json)}`);
      return json;
    };

    // Enrollment with a one-time code, as in the field.
    const identity = loadKioskIdentity(join(dir, 'kiosk'), nodeCrypto);
    const { code } = await ops<{ code: string }>('/api/enrollment-codes', {
      method: 'POST',
      body: { name: 'fault-kiosk-1' },
    });
    const enrolled = await enrollKiosk({
      relayEnrollUrl: running().info.enroll,
      code,
      identity,
      relayPublicKey: running().info.identityPublicKey,
      name: 'fault-kiosk-1',
    });
    if (!enrolled.ok) throw new Error(`enrollment refused: ${enrolled.code}`);

    const relayPublicKey = fromBase64Url(running().info.identityPublicKey);
    const vrsBoxPublicKey = fromBase64Url(vrs.info.boxPublicKey);
    if (!relayPublicKey || !vrsBoxPublicKey) throw new Error('malformed keys');
    const link = startKioskRelay({
      url: relayKioskUrl.toString(),
      relayPublicKey,
      vrsBoxPublicKey,
      identity,
      crypto: nodeCrypto,
      logger: log.child('kiosk.relay'),
      requestTimeoutMs: options.requestTimeoutMs ?? 8_000,
    });
    cleanups.push(() => link.client.stop());
    const kiosk = await startKioskRuntime<IssuedBody>(
      {
        devices: {
          reader: sim.info['reader']!,
          printer: sim.info['printer']!,
          pinpad: sim.info['pinpad']!,
          coinAcceptor: sim.info['coinAcceptor']!,
          hopper: sim.info['hopper']!,
          ...(sim.info['noteValidator'] ? { noteValidator: sim.info['noteValidator'] } : {}),
        },
        flow: options.flow ?? {},
        authMethod: 'jpki',
        printerJobTimeoutMs: options.printerJobTimeoutMs ?? 20_000,
      },
      {
        relay: link.port,
        certificate: certificatePort,
        log: log.child('kiosk'),
        kioskId: link.client.kioskId,
      },
    );
    cleanups.push(() => kiosk.stop());
    link.setHealth(() => kiosk.health());
    kiosk.onHealthChange(() => link.client.reportHealth());

    const db = new pgLib.Client({ connectionString: relayDbUrl });
    await db.connect();
    db.on('error', () => undefined);
    let dbClient = db;
    const query = async <R extends pgLib.QueryResultRow>(sql: string): Promise<R[]> => {
      try {
        return (await dbClient.query<R>(sql)).rows;
      } catch {
        // The server was restarted by a fault: connect again once.
        dbClient = new pgLib.Client({ connectionString: relayDbUrl });
        dbClient.on('error', () => undefined);
        await dbClient.connect();
        return (await dbClient.query<R>(sql)).rows;
      }
    };
    cleanups.push(() => dbClient.end());

    const sys: FaultSystem = {
      dir,
      pg,
      relayDbUrl,
      sim,
      kiosk,
      link,
      line,
      lgwan,
      relays,
      get vrs() {
        return vrs;
      },
      opsToken,
      async panel<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
        const r = await fetch(`${sim.info['panel']}${path}`, {
          method,
          headers: { 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const json = (await r.json()) as T;
        if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${JSON.stringify(json)}`);
        return json;
      },
      ops,
      async killRelay(i = 0) {
        await relays[i]?.kill();
        relays[i] = undefined;
      },
      async startRelay(i = 0) {
        await startRelayAt(i);
        line.retarget(Number(new URL(relays[i]!.info.kiosk).port));
      },
      lineTo(i) {
        line.retarget(Number(new URL(running(i).info.kiosk).port));
      },
      async killVrs() {
        await vrs?.kill();
        vrs = undefined;
      },
      async startVrs() {
        vrs = await spawnChild<VrsChildInfo>(
          VRS_CHILD,
          { FAULT_VRS: JSON.stringify(vrsConfig), LOG_LEVEL: 'info' },
          join(logs, 'vrs.log'),
        );
        lgwan.retarget(Number(new URL(vrs.info.lgwan).port));
      },
      audit: () =>
        query<AuditRow>(
          'SELECT seq::int AS seq, kind, request_id, kiosk_id, detail FROM relay_audit ORDER BY seq',
        ),
      async sql(statements) {
        await query(statements);
      },
      async vrsIssuance() {
        if (vrs === undefined) throw new Error('VRS is not running');
        const r = await fetch(`${vrs.info.inspect}/issuance`);
        return (await r.json()) as { request_id: string; outcome: string; code: string | null }[];
      },
      alerts: (after = 0) =>
        query<{ id: number; kind: string; severity: string }>(
          `SELECT id::int AS id, kind, severity FROM relay_alerts WHERE id > ${Number(after)} ORDER BY id`,
        ),
      logFiles: () =>
        ['kiosk.log', 'vrs.log', ...relays.map((_, i) => `relay-${i}.log`)].map((f) => join(logs, f)),
      async relayDbText() {
        const tables = await query<{ tablename: string }>(
          `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
        );
        const out: string[] = [];
        for (const t of tables) {
          const rows = await query<{ t: string }>(`SELECT t::text AS t FROM "${t.tablename}" t`);
          for (const r of rows) out.push(r.t);
        }
        return out.join('\n');
      },
      async stop(o = {}) {
        await cleanup();
        await new Promise<void>((resolve) => logStream.end(() => resolve()));
        if (o.keep) process.stderr.write(`fault system kept in ${dir}\n`);
        else rmSync(dir, { recursive: true, force: true });
      },
    };
    return sys;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
