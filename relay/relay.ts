import { createAdaptorServer } from '@hono/node-server';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openDb, type Db } from '../common/db.js';
import { createLogger, type Logger } from '../common/log.js';
import { keyId, parseKey, type Identity } from '../protocol/index.js';
import { RelayOptions, type RelayOptionsInput } from './config.js';
import { sodiumCrypto } from '../common/crypto-sodium.js';
import { Control } from './control.js';
import { Forwarder } from './forward/forwarder.js';
import { Ids } from './ids.js';
import { openFileLimit } from './file-limit.js';
import { connectionLimits } from './kiosk-side/connection-guard.js';
import { HANDSHAKE_TIMEOUT_MS } from '../protocol/index.js';
import { loadIdentity } from './identity-file.js';
import { KioskEndpoint } from './kiosk-side/endpoint.js';
import type { KioskRates } from './kiosk-side/rate.js';
import { relayMetrics, type Metrics } from './metrics.js';
import { opsApp } from './ops/app.js';
import { LiveSampler } from './ops/dashboard/live.js';
import { dashboardRoutes } from './ops/dashboard/routes.js';
import { OperatorStore, type SessionPolicy } from './store/operators.js';
import { VrsLink } from './vrs-side/link.js';
import { Router } from './vrs-side/router.js';
import {
  RouteCheck,
  TopologyError,
  checkCluster,
  clusterConfig,
  leaveCluster,
  productionProblems,
  type TopologyProblem,
} from './topology.js';

export interface RelayInfo {
  /** The kiosk WebSocket URL on the dedicated line. */
  kiosk: string;
  /** `POST` here to enroll (same address as `kiosk`). */
  enroll: string;
  /** The operations API base URL. */
  ops: string;
  /** base64url Ed25519 key kiosks pin. */
  identityPublicKey: string;
}

export interface Relay {
  info: RelayInfo;
  identity: Identity;
  control: Control;
  metrics: Metrics;
  endpoint: KioskEndpoint;
  forwarder: Forwarder;
  router: Router;
  links: VrsLink[];
  ops: ReturnType<typeof opsApp>;
  operators: OperatorStore;
  db: Db;
  /**
   * Stops the relay: VRS links, listeners, timers, the database (the last health batch is written first).
   * Open kiosk sessions get a close frame and are closed one by one; with `exiting`, for a process about to
   * exit, they are left to the operating system, which closes them all at exit: a relay holding 19,000
   * sessions spent ≈ 4 s of a restart writing close frames that kiosks do not need (they reconnect on any
   * close alike).
   */
  stop(options?: { exiting?: boolean }): Promise<void>;
}

/**
 * Starts a relay: database (PGlite in `stateDir` or PostgreSQL at `dbUrl`), control plane, VRS links,
 * the kiosk endpoint and the operations API. Several relays may share one PostgreSQL.
 */
export async function startRelay(
  input: RelayOptionsInput,
  deps: { log?: Logger; now?: () => number; sessionPolicy?: Partial<SessionPolicy> } = {},
): Promise<Relay> {
  const o = RelayOptions.parse(input);
  const log = deps.log ?? createLogger('relay');
  const crypto = sodiumCrypto;
  const identity = loadIdentity(o.stateDir, o.identitySeed, crypto);
  const processId = randomBytes(6).toString('base64url');
  const db = await openDb({
    url: o.dbUrl,
    dataDir: o.dbUrl ? undefined : join(o.stateDir, 'db'),
    maxConnections: 8,
    thread: o.dbThread,
    applicationName: `relay-${processId}`,
    onError: (where, err) => log.warn('db.connection_error', { where, error: err.message }),
  });
  const control = new Control({
    db,
    log: log.child('control'),
    webhookUrl: o.webhookUrl,
    processId,
    cluster: o.cluster,
  });
  await control.start();
  const operators = new OperatorStore(db, deps.now, deps.sessionPolicy);
  if (o.opsToken !== undefined) await operators.installBootstrapToken(o.opsToken);
  const metrics = relayMetrics();
  metrics.gauge(
    'relay_cluster_synced',
    '1 when this process has every change the other relay processes published; 0 while it refuses new sessions.',
    () => (control.synced ? 1 : 0),
  );
  metrics.gauge(
    'relay_cluster_stale_seconds',
    'Seconds since this process lost its cluster subscription (0 when synced).',
    () => control.clusterStatus().staleSeconds,
  );
  metrics.gauge(
    'relay_cluster_echo_age_seconds',
    'Seconds since this process last heard its own cluster probe (PostgreSQL only; -1 before the first).',
    () => control.clusterStatus().echoAgeSeconds ?? -1,
  );
  metrics.counterFn(
    'relay_cluster_resyncs_total',
    'Reloads of kiosks, bans and stops after a gap in the cluster subscription.',
    () => control.clusterStatus().resyncs,
  );
  metrics.counterFn(
    'relay_cluster_unparsable_events_total',
    'Cluster NOTIFY payloads that did not parse (dropped, logged).',
    () => control.clusterStatus().unparsableEvents,
  );
  const ids = new Ids(control, metrics, log.child('ids'), o.ids);

  const routes = new RouteCheck();
  const links: VrsLink[] = o.vrsEndpoints.map((e, i) => {
    const pk = parseKey(e.identityPublicKey);
    if (pk === undefined) throw new TypeError(`vrsEndpoints[${i}].identityPublicKey: 32-byte key expected`);
    return new VrsLink({
      config: {
        url: e.url,
        identityPublicKey: pk,
        municipalities: e.municipalities,
        name: e.name ?? `vrs${i}`,
      },
      identity,
      crypto,
      log: log.child('vrs'),
      breaker: o.breaker,
      events: {
        onUp: (link) => {
          link.send({
            v: 1,
            type: 'vrs.municipalities.request',
            requestId: randomBytes(16).toString('base64url'),
          });
        },
        onDown: (link) => forwarder.linkDown(link),
        onMessage: (link, msg) => {
          switch (msg.type) {
            case 'vrs.response':
            case 'vrs.error':
              return forwarder.answer(link, msg);
            case 'vrs.municipalities.response':
              routes.answered(link, msg.list);
              return router.learn(link, msg.list);
            case 'vrs.alert':
              return void onVrsAlert(link, msg);
            default: {
              const never: never = msg;
              return never;
            }
          }
        },
      },
    });
  });
  const router = new Router(links);
  const forwarder = new Forwarder(control, router, metrics, log.child('forward'), {
    ...(o.vrsTimeoutMs ? { timeoutMs: o.vrsTimeoutMs } : {}),
    ...(o.vrsMaxAttempts ? { maxAttempts: o.vrsMaxAttempts } : {}),
    ...(o.maxInflightPerKiosk ? { maxInflightPerKiosk: o.maxInflightPerKiosk } : {}),
  });

  const topologyAlert = (p: TopologyProblem, severity: 'warning' | 'critical') => {
    metrics.inc('relay_alerts_total', { kind: 'topology' });
    return control
      .raiseAlert({ kind: 'topology', severity, detail: { code: p.code, ...p.detail } })
      .catch((err: unknown) => log.error('alert.store_failed', { kind: 'topology', error: String(err) }));
  };

  /**
   * The topology self-checks (relay/topology.ts): production mode, cluster agreement, routes. A failure
   * raises one critical alert per problem, releases what was started and throws TopologyError.
   */
  async function checkTopology(): Promise<void> {
    const me = keyId(identity.publicKey);
    const problems = [
      ...productionProblems(o, me, await operators.list(), crypto),
      ...(await checkCluster(db, processId, clusterConfig(o, me))),
    ];
    const r = await routes.check(links, o.topology?.vrsWaitMs ?? 10_000);
    problems.push(...r.problems);
    routes.onLateProblem = (p) => {
      log.error('topology.route_mismatch', { code: p.code, ...p.detail });
      void topologyAlert(p, 'critical');
    };
    for (const name of r.unchecked) {
      const p: TopologyProblem = {
        code: 'RELAY_TOPOLOGY_VRS_UNCHECKED',
        message: `endpoint ${name} did not answer`,
        detail: { endpoint: name },
      };
      log.warn('topology.vrs_unchecked', { code: p.code, endpoint: name });
      await topologyAlert(p, 'warning');
    }
    if (problems.length === 0) return;
    for (const p of problems) {
      log.error('topology.refused', { code: p.code, ...p.detail });
      await topologyAlert(p, 'critical');
    }
    for (const l of links) l.stop();
    forwarder.close();
    ids.close();
    await leaveCluster(db, processId);
    await control.close();
    await db.close();
    throw new TopologyError(problems);
  }

  async function onVrsAlert(
    link: VrsLink,
    msg: {
      kind: string;
      severity: 'info' | 'warning' | 'critical';
      kioskId?: string | undefined;
      alertId: string;
    },
  ) {
    try {
      metrics.inc('relay_alerts_total', { kind: 'vrs-alert' });
      await control.raiseAlert({
        kind: msg.kind === 'binding-mismatch' ? 'binding-mismatch' : 'vrs-alert',
        severity: msg.severity,
        kioskId: msg.kioskId,
        // VRS's free-text detail is not copied: only its kind and id, which carry no personal data.
        detail: { endpoint: link.name, vrsKind: msg.kind.slice(0, 64), vrsAlertId: msg.alertId },
      });
      if (msg.kind === 'binding-mismatch' && !control.stops.isStopped('fleet')) {
        await control.stopIssuance('fleet', 'binding mismatch reported by VRS', 'automatic');
      }
    } catch (err) {
      log.error('vrs.alert_failed', { error: err instanceof Error ? err.message : 'error' });
    }
  }

  const limits = connectionLimits(
    openFileLimit(),
    o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    o.connections ?? {},
  );
  if (limits.maxConnections + limits.reserveFds > limits.fileLimit) {
    log.warn('relay.connection_limits_over_file_limit', { ...limits });
  }
  const endpoint = new KioskEndpoint({
    identity,
    crypto,
    control,
    forwarder,
    router,
    ids,
    metrics,
    log: log.child('kiosk'),
    processId,
    pingIntervalMs: o.pingIntervalMs,
    handshakeTimeoutMs: o.handshakeTimeoutMs,
    kioskRates: o.kioskRates as Partial<KioskRates> | undefined,
    limits,
    isSynced: () => control.synced,
  });
  metrics.gauge(
    'relay_sessions',
    'Authenticated kiosk sessions held by this process.',
    () => endpoint.sessions.size,
  );
  metrics.gauge(
    'relay_connections',
    'Kiosk connections (sessions and handshakes) on this process.',
    () => endpoint.connectionCount,
  );
  metrics.gauge(
    'relay_connections_anonymous',
    'Kiosk-listener connections whose hello is not verified yet.',
    () => endpoint.guard.anonymous,
  );
  metrics.gauge(
    'relay_connections_open',
    'Kiosk-listener sockets open (sessions, handshakes, enrollment).',
    () => endpoint.guard.open,
  );
  metrics.gauge('relay_pending_requests', 'Requests waiting for VRS.', () => forwarder.pendingCount ?? 0);
  metrics.gauge('relay_kiosks_enrolled', 'Enrolled, unrevoked kiosks.', () => control.kiosks.activeCount);
  metrics.gauge('relay_vrs_up', 'VRS links up, per endpoint.', () =>
    links.map((l) => [{ endpoint: l.name }, l.ready ? 1 : 0]),
  );
  metrics.gauge('relay_vrs_breaker_open', 'VRS circuit breakers not closed, per endpoint.', () =>
    links.map((l) => [{ endpoint: l.name }, l.breaker.state === 'closed' ? 0 : 1]),
  );

  for (const l of links) l.start();
  await checkTopology();
  const kioskUrl = await endpoint.listen(o.kioskHost, o.kioskPort);

  const loopback = /^(127\.|::1$|localhost$)/.test(o.opsHost);
  const statusView = () => ({
    process: processId,
    identityPublicKey: keyId(identity.publicKey),
    sessions: endpoint.sessions.size,
    connections: endpoint.connectionCount,
    connectionLimits: {
      open: endpoint.guard.open,
      anonymous: endpoint.guard.anonymous,
      ...limits,
    },
    pendingRequests: forwarder.pendingCount ?? 0,
    kiosksEnrolled: control.kiosks.activeCount,
    cluster: control.clusterStatus(),
    /** Whether the audit store takes records; while it does not, every request is refused. */
    audit: control.audit.availability,
    vrs: links.map((l) => ({
      name: l.name,
      url: l.config.url,
      up: l.ready,
      breaker: l.breaker.state,
      municipalities: [...l.municipalities].sort(),
      lastError: l.lastError,
    })),
  });
  // Every second this process publishes its live figures (and so its liveness: kiosks whose session is on a
  // process silent for 15 s count as offline) for every process's dashboard.
  const sampler = new LiveSampler(metrics, () => ({
    sessions: endpoint.sessions.size,
    connections: endpoint.connectionCount,
    pending: forwarder.pendingCount ?? 0,
  }));
  const publishSample = () =>
    control.fleet.publishSample(processId, sampler.sample()).catch((err: unknown) => {
      log.warn('live.publish_failed', { error: err instanceof Error ? err.message : 'error' });
    });
  await publishSample();
  const sampleTimer = setInterval(() => void publishSample(), 1000);
  sampleTimer.unref();
  const ops = opsApp({
    extend: (app) => dashboardRoutes(app, { control, operators, status: statusView }),
    control,
    operators,
    secureCookies: o.opsSecureCookies ?? !loopback,
    view: {
      metrics: () => metrics.render(),
      isOnline: (id) => endpoint.sessions.get(id) !== undefined,
      status: statusView,
    },
  });
  const opsServer = createAdaptorServer({ fetch: ops.fetch }) as Server;
  // Inside the reserve the kiosk listener leaves: a flood there cannot take the operators' descriptors.
  opsServer.maxConnections = limits.opsMaxConnections;
  await new Promise<void>((resolve, reject) => {
    opsServer.once('error', reject);
    opsServer.listen(o.opsPort, o.opsHost, () => resolve());
  });
  const oa = opsServer.address() as AddressInfo;
  const opsUrl = `http://${oa.family === 'IPv6' ? `[${oa.address}]` : oa.address}:${oa.port}`;

  const info: RelayInfo = {
    kiosk: kioskUrl,
    enroll: kioskUrl.replace(/^ws/, 'http').replace(/\/kiosk$/, '/enroll'),
    ops: opsUrl,
    identityPublicKey: keyId(identity.publicKey),
  };
  // The audit store refusing records: said in the log, on /api/status and in a critical alert (the alert
  // reaches the streams and the webhook even when the database cannot store it).
  control.audit.onAvailability((a) => {
    if (a.writable) {
      log.info('audit.available', {});
      return;
    }
    log.error('audit.unavailable', { code: a.code });
    metrics.inc('relay_alerts_total', { kind: 'audit-unavailable' });
    control
      .raiseAlert({
        kind: 'audit-unavailable',
        severity: 'critical',
        detail: { code: a.code, process: processId },
      })
      .catch(() => log.error('alert.store_failed', { kind: 'audit-unavailable' }));
  });
  log.info('relay.started', { kiosk: info.kiosk, ops: info.ops, process: processId, db: db.kind });

  let stopped = false;
  return {
    info,
    identity,
    control,
    metrics,
    endpoint,
    forwarder,
    router,
    links,
    ops,
    operators,
    db,
    async stop(options = {}) {
      if (stopped) return;
      stopped = true;
      for (const l of links) l.stop();
      clearInterval(sampleTimer);
      await endpoint.close(options);
      // Its sessions are over: dashboards show its kiosks offline now, not after the 15-s staleness.
      await db.query('DELETE FROM relay_processes WHERE id = $1', [processId]).catch(() => undefined);
      await leaveCluster(db, processId);
      forwarder.close();
      ids.close();
      await new Promise<void>((r) => {
        opsServer.close(() => r());
        opsServer.closeAllConnections();
      });
      await ids.settled(); // its last alerts and bans land before the database closes
      await control.close();
      await db.close();
    },
  };
}
