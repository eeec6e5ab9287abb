import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../common/log.js';
import {
  acceptHello,
  decodeMessage,
  DEFAULT_MAX_SKEW_MS,
  HANDSHAKE_TIMEOUT_MS,
  keyId,
  KioskToRelay,
  MAX_FRAME_BYTES,
  type CryptoProvider,
  type Identity,
  type PendingSession,
  type RelayToKiosk,
} from '../../protocol/index.js';
import type { Control } from '../control.js';
import type { Forwarder } from '../forward/forwarder.js';
import type { Ids } from '../ids.js';
import type { Metrics } from '../metrics.js';
import { toBytes } from '../vrs-side/link.js';
import type { Router } from '../vrs-side/router.js';
import { AnsweredRequests } from './answered.js';
import { KioskConnection } from './connection.js';
import { DEFAULT_KIOSK_RATES, type KioskRates, type RateClass } from './rate.js';
import { ConnectionGuard, connectionLimits, type ConnectionLimits } from './connection-guard.js';
import { LimitReporter } from './limit-report.js';
import { handleEnroll } from './enroll-route.js';
import { refuseUpgrade, sourceOf } from './refuse.js';
import { classifyHealth } from '../store/health.js';
import { SessionTable } from './sessions.js';

export interface KioskEndpointOptions {
  identity: Identity;
  crypto: CryptoProvider;
  control: Control;
  forwarder: Forwarder;
  router: Router;
  ids: Ids;
  metrics: Metrics;
  log: Logger;
  processId: string;
  pingIntervalMs?: number | undefined;
  handshakeTimeoutMs?: number | undefined;
  heartbeatFlushMs?: number;
  /** Per-identity message rates (token buckets); defaults: `DEFAULT_KIOSK_RATES`. */
  kioskRates?: Partial<KioskRates> | undefined;
  /** The connection budget (caps, deadline); default: derived from a 1024-file limit. */
  limits?: ConnectionLimits;
  /** Whether this process is sure to follow the other relay processes (revocations, bans, stops). */
  isSynced?: () => boolean;
}

const RATE_CLASS: Record<KioskToRelay['type'], RateClass> = {
  'issue.request': 'request',
  'issue.outcome': 'outcome',
  heartbeat: 'heartbeat',
  'municipalities.request': 'municipalities',
};

/** WebSocket close codes the relay uses (4000–4999: application). */
export const CLOSE = {
  malformed: 4400,
  handshake: 4401,
  revoked: 4403,
  banned: 4429,
  replaced: 4409,
  stopping: 4503,
} as const;

/**
 * The kiosk endpoint on the dedicated line: `POST /enroll` and the WebSocket at `/kiosk`. The channel
 * handshake runs in the HTTP upgrade handler, so an unknown, revoked or banned key never gets a
 * WebSocket; the first binary frame completes it. Then every frame is a sealed message.
 */
export class KioskEndpoint {
  readonly server: Server;
  readonly sessions: SessionTable;
  readonly guard: ConnectionGuard;
  readonly #o: KioskEndpointOptions;
  readonly #reporter: LimitReporter;
  readonly #timeoutMs: number;
  readonly #wss: WebSocketServer;
  readonly #responses = new WeakMap<IncomingMessage, string>();
  readonly #all = new Set<KioskConnection>();
  readonly #handshaking = new Set<KioskConnection>();
  readonly #seenHellos = new Map<string, number>();
  readonly #dirtyHealth = new Map<string, { at: Date; health: unknown }>();
  readonly #lastHealth = new WeakMap<KioskConnection, string>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #unsubscribe: Array<() => void> = [];
  readonly #relayKey: string;
  readonly #rates: KioskRates;
  /** Request ids answered to each kiosk: the only ones it may report an outcome for. */
  readonly answered = new AnsweredRequests();
  #stopping = false;

  constructor(o: KioskEndpointOptions) {
    this.#o = o;
    this.#relayKey = keyId(o.identity.publicKey);
    this.#rates = { ...DEFAULT_KIOSK_RATES, ...o.kioskRates };
    o.forwarder.onAnswered = (kioskId, requestId, municipality, response) =>
      this.answered.record(kioskId, requestId, municipality, response, Date.now());
    this.#timeoutMs = o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    const limits = o.limits ?? connectionLimits(1024, this.#timeoutMs);
    this.#reporter = new LimitReporter(limits.reportEveryMs, o.log, (report, severity) => {
      o.metrics.inc('relay_alerts_total', { kind: 'connection-limit' });
      o.control
        .raiseAlert({ kind: 'connection-limit', severity, detail: { ...report, process: o.processId } })
        .catch((err: unknown) => {
          o.log.error('alert.store_failed', { kind: 'connection-limit', error: String(err) });
        });
    });
    this.guard = new ConnectionGuard(limits, {
      isBanned: (source) => o.control.bans.isBanned('source', source),
      dropped: (reason, source) => {
        o.metrics.inc('relay_connections_dropped_total', { reason });
        this.#reporter.dropped(reason, source);
        if (reason === 'deadline' || reason === 'shed') {
          o.metrics.inc('relay_handshakes_total', { result: 'CHANNEL_HANDSHAKE_TIMEOUT' });
          o.ids.slowHandshake(source);
        }
      },
    });
    this.sessions = new SessionTable(o.control, o.ids, o.log, o.processId);
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#wss.on('headers', (headers, req) => {
      const r = this.#responses.get(req);
      if (r !== undefined) headers.push(`x-channel-response: ${r}`);
    });
    this.server = createServer((req, res) => {
      // One request per connection: a finished request leaves no idle anonymous socket behind.
      res.shouldKeepAlive = false;
      if (req.method === 'POST' && req.url === '/enroll') {
        handleEnroll(req, res, { ...o, relayPublicKey: this.#relayKey }).catch((err: unknown) => {
          o.log.error('enroll.failed', { error: err instanceof Error ? err.message : 'error' });
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, code: 'RELAY_INTERNAL' }));
        });
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, code: 'RELAY_OPS_NOT_FOUND' }));
    });
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 15_000;
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      this.#upgrade(req, socket, head).catch((err: unknown) => {
        o.log.error('upgrade.failed', { error: err instanceof Error ? err.message : 'error' });
        refuseUpgrade(socket, 500, 'RELAY_INTERNAL');
      });
    });
    this.server.on('clientError', (_err, socket) => socket.destroy());
    // After http's own listener (its parser is set up): a refused socket is destroyed at once.
    this.server.on('connection', (socket) => void this.guard.admit(socket));

    const ping = o.pingIntervalMs ?? 30_000;
    this.#timers.push(setInterval(() => this.#pingAll(), ping));
    this.#timers.push(
      setInterval(
        () => this.#sweepHandshakes(),
        Math.min(500, Math.max(50, Math.floor(this.#timeoutMs / 8))),
      ),
    );
    this.#timers.push(setInterval(() => void this.#flushHealth(), o.heartbeatFlushMs ?? 10_000));
    this.#timers.push(setInterval(() => this.answered.sweep(Date.now()), 60_000));
    for (const t of this.#timers) t.unref();

    this.#unsubscribe.push(
      o.control.onRevoked((kioskId) => this.#drop(kioskId, 'RELAY_KIOSK_REVOKED', CLOSE.revoked)),
      o.control.onBan(({ scope, subject }) => {
        if (scope === 'identity') return this.#drop(subject, 'RELAY_BANNED', CLOSE.banned);
        // A source ban is for anonymous failures: it ends unfinished handshakes from that address, never
        // an authenticated session (an innocent kiosk may share the address; a guilty one is banned by id).
        for (const c of this.#handshaking)
          if (c.source === subject) this.#closeWithNotice(c, 'RELAY_BANNED', CLOSE.banned);
      }),
      o.control.onStop(({ scope, stopped }) => {
        const notice: RelayToKiosk = {
          v: 1,
          type: 'notice',
          code: stopped ? 'RELAY_ISSUANCE_STOPPED' : 'RELAY_ISSUANCE_RESUMED',
          ...(scope === 'fleet' ? {} : { municipality: scope }),
        };
        for (const c of this.sessions.all()) c.send(notice);
      }),
    );
  }

  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port, backlog: 4096 }, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `ws://${h}:${a.port}/kiosk`;
  }

  get connectionCount(): number {
    return this.#all.size;
  }

  #drop(kioskId: string, code: string, closeCode: number): void {
    const c = this.sessions.get(kioskId);
    if (c !== undefined) this.#closeWithNotice(c, code, closeCode);
    for (const h of this.#handshaking) if (h.kioskId === kioskId) h.close(closeCode, code);
  }

  #closeWithNotice(c: KioskConnection, code: string, closeCode: number): void {
    c.send({ v: 1, type: 'notice', code });
    c.close(closeCode, code);
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { control, ids, metrics } = this.#o;
    const source = sourceOf(req.socket.remoteAddress);
    if (this.#stopping) return refuseUpgrade(socket, 503, 'RELAY_UNREACHABLE');
    if (req.url !== '/kiosk') return refuseUpgrade(socket, 404, 'RELAY_OPS_NOT_FOUND');
    if (control.bans.isBanned('source', source)) {
      metrics.inc('relay_handshakes_total', { result: 'RELAY_BANNED' });
      return refuseUpgrade(socket, 403, 'RELAY_BANNED');
    }
    if (this.#o.isSynced !== undefined && !this.#o.isSynced()) {
      // A revocation, ban or stop made on another process may not have reached this one.
      metrics.inc('relay_handshakes_total', { result: 'RELAY_CLUSTER_UNSYNCED' });
      return refuseUpgrade(socket, 503, 'RELAY_CLUSTER_UNSYNCED');
    }
    const hello = req.headers['x-channel-hello'];
    if (typeof hello !== 'string' || hello.length > 1024) {
      metrics.inc('relay_handshakes_total', { result: 'CHANNEL_HANDSHAKE_FAILED' });
      ids.failure('handshake-failed', source, 'CHANNEL_HANDSHAKE_FAILED');
      return refuseUpgrade(socket, 401, 'CHANNEL_HANDSHAKE_FAILED');
    }
    const now = Date.now();
    const helloKey = createHash('sha256').update(hello).digest('base64').slice(0, 24);
    const seen = this.#seenHellos.get(helloKey);
    if (seen !== undefined && seen > now) {
      metrics.inc('relay_handshakes_total', { result: 'CHANNEL_REPLAY' });
      ids.failure('replay', source, 'CHANNEL_REPLAY');
      return refuseUpgrade(socket, 401, 'CHANNEL_REPLAY');
    }
    type Refusal = 'RELAY_KIOSK_UNKNOWN' | 'RELAY_KIOSK_REVOKED' | 'RELAY_BANNED';
    let refusal = 'RELAY_KIOSK_UNKNOWN' as Refusal;
    const r = await acceptHello(hello, {
      identity: this.#o.identity,
      crypto: this.#o.crypto,
      isKnownPeer: (pk) => {
        const id = keyId(pk);
        const status = control.kiosks.status(id);
        if (status !== 'active') {
          refusal = status === 'revoked' ? 'RELAY_KIOSK_REVOKED' : 'RELAY_KIOSK_UNKNOWN';
          return false;
        }
        if (control.bans.isBanned('identity', id)) {
          refusal = 'RELAY_BANNED';
          return false;
        }
        return true;
      },
    });
    if (!r.ok) {
      if (r.code === 'CHANNEL_UNKNOWN_PEER') {
        metrics.inc('relay_handshakes_total', { result: refusal });
        if (refusal !== 'RELAY_BANNED') {
          ids.failure(refusal === 'RELAY_KIOSK_REVOKED' ? 'revoked-key' : 'unknown-key', source, refusal);
        }
        return refuseUpgrade(socket, 403, refusal);
      }
      metrics.inc('relay_handshakes_total', { result: r.code });
      ids.failure('handshake-failed', source, r.code);
      return refuseUpgrade(socket, 401, r.code);
    }
    this.#seenHellos.set(helloKey, now + 2 * DEFAULT_MAX_SKEW_MS);
    const kioskId = keyId(r.peerPublicKey);
    if (!ids.connected(kioskId, source)) {
      metrics.inc('relay_handshakes_total', { result: 'RELAY_BANNED' });
      return refuseUpgrade(socket, 403, 'RELAY_BANNED');
    }
    if (socket.destroyed || this.#stopping) return;
    // Verified hello of an enrolled key: no longer anonymous; its deadline still runs from accept.
    const acceptedAt = this.guard.authenticated(req.socket) ?? Date.now();
    this.#responses.set(req, r.response);
    this.#wss.handleUpgrade(req, socket, head, (ws) =>
      this.#opened(ws, kioskId, source, r.pending, acceptedAt),
    );
  }

  #opened(ws: WebSocket, kioskId: string, source: string, pending: PendingSession, acceptedAt: number): void {
    const conn = new KioskConnection(ws, kioskId, source, pending, acceptedAt, this.#rates);
    this.#all.add(conn);
    this.#handshaking.add(conn);
    // ws refuses a frame over maxPayload (close 1009) and other framing violations (1002) with an error
    // event: a malformed frame like any other, counted against the identity once it authenticated.
    ws.on('error', (err: Error & { code?: string }) => {
      const code =
        err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'CHANNEL_FRAME_TOO_LARGE' : 'PROTOCOL_MALFORMED';
      this.#o.metrics.inc('relay_frames_refused_total', { code });
      this.#o.ids.failure('malformed-frame', conn.source, code, conn.session ? conn.kioskId : undefined);
      conn.markClosed();
    });
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data, isBinary) => this.#message(conn, data, isBinary));
    ws.on('close', () => {
      conn.markClosed();
      this.#all.delete(conn);
      this.#handshaking.delete(conn);
      this.sessions.remove(conn);
    });
  }

  #message(conn: KioskConnection, data: WebSocket.RawData, isBinary: boolean): void {
    const { ids, metrics, control } = this.#o;
    if (conn.closed || this.#stopping) return; // stopping: nothing more is taken in
    conn.alive = true;
    if (!isBinary) {
      ids.failure(
        'malformed-frame',
        conn.source,
        'PROTOCOL_MALFORMED',
        conn.session ? conn.kioskId : undefined,
      );
      return conn.close(CLOSE.malformed, 'PROTOCOL_MALFORMED');
    }
    const bytes = toBytes(data);
    if (conn.pending !== undefined) {
      const done = conn.pending.complete(bytes);
      conn.pending = undefined;
      this.#handshaking.delete(conn);
      if (!done.ok) {
        metrics.inc('relay_handshakes_total', { result: done.code });
        // Not counted against the identity: a replayed hello fails exactly here.
        ids.failure(done.code === 'CHANNEL_REPLAY' ? 'replay' : 'handshake-failed', conn.source, done.code);
        return conn.close(CLOSE.handshake, done.code);
      }
      conn.session = done.session;
      if (
        control.kiosks.status(conn.kioskId) !== 'active' ||
        control.bans.isBanned('identity', conn.kioskId)
      ) {
        return this.#closeWithNotice(conn, 'RELAY_KIOSK_REVOKED', CLOSE.revoked);
      }
      if (this.#o.isSynced !== undefined && !this.#o.isSynced()) {
        metrics.inc('relay_handshakes_total', { result: 'RELAY_CLUSTER_UNSYNCED' });
        return this.#closeWithNotice(conn, 'RELAY_CLUSTER_UNSYNCED', CLOSE.stopping);
      }
      conn.establishedAt = Date.now();
      metrics.inc('relay_handshakes_total', { result: 'ok' });
      this.sessions.register(conn);
      return;
    }
    const session = conn.session;
    if (session === undefined) return conn.close(CLOSE.handshake, 'CHANNEL_CLOSED');
    const opened = session.open(bytes);
    if (!opened.ok) {
      ids.failure(
        opened.code === 'CHANNEL_REPLAY' ? 'replay' : 'malformed-frame',
        conn.source,
        opened.code,
        conn.kioskId,
      );
      return conn.close(CLOSE.malformed, opened.code);
    }
    const msg = decodeMessage(opened.plaintext, KioskToRelay);
    if (!msg.ok) {
      ids.failure('malformed-frame', conn.source, msg.code, conn.kioskId);
      return conn.close(CLOSE.malformed, msg.code);
    }
    const m = msg.value;
    if (!conn.rates.take(RATE_CLASS[m.type], this.#rates, Date.now())) {
      // Over its rate: refused without work or a record, and a strike against the identity (strikes ban it,
      // and a ban closes the session).
      metrics.inc('relay_rate_limited_total', { type: m.type });
      ids.failure('rate-limit', conn.source, 'RELAY_BUSY', conn.kioskId);
      if (m.type === 'issue.request' || m.type === 'municipalities.request')
        conn.send({ v: 1, type: 'issue.error', requestId: m.requestId, code: 'RELAY_BUSY' });
      return;
    }
    switch (m.type) {
      case 'issue.request':
        this.#o.forwarder.request(conn, m);
        return;
      case 'issue.outcome':
        void this.#outcome(conn, m);
        return;
      case 'heartbeat': {
        this.#dirtyHealth.set(conn.kioskId, { at: new Date(), health: m.health });
        // A change of device class or issues is written and shown at once (and raises or clears device
        // alerts); unchanged health waits for the periodic batch.
        const c = classifyHealth(m.health);
        const key = `${c.status}|${c.issues.join(',')}`;
        if (this.#lastHealth.get(conn) !== key) {
          this.#lastHealth.set(conn, key);
          this.#o.control.fleet.healthChanged(conn.kioskId, m.health);
        }
        conn.send({ v: 1, type: 'heartbeat.ack', seq: m.seq, serverTime: Date.now() });
        return;
      }
      case 'municipalities.request':
        conn.send({
          v: 1,
          type: 'municipalities.response',
          requestId: m.requestId,
          list: this.#o.router.list(),
        });
        return;
      default: {
        const never: never = m;
        return never;
      }
    }
  }

  /**
   * A kiosk's report on a request. Accepted only for a request this relay answered to this kiosk (and a
   * few times per request); anything else is a strike against the identity and leaves no record. A
   * `binding-mismatch` on a sealed answer stops what the relay's own evidence covers: the municipality it
   * routed that request to (never the fleet, whatever the kiosk says), and asks an operator to widen it.
   */
  async #outcome(conn: KioskConnection, m: Extract<KioskToRelay, { type: 'issue.outcome' }>): Promise<void> {
    const { control, log, ids, metrics } = this.#o;
    let answered = this.answered.take(conn.kioskId, m.requestId, Date.now(), m.outcome);
    if (answered === undefined && !this.answered.knows(conn.kioskId, m.requestId)) {
      // Not answered by this process as far as it remembers: a resend after a restart, or to another process of
      // the cluster. The audit log is the authority; a made-up id finds nothing and stays a strike below.
      const records = await control.audit.ofRequest(m.requestId, conn.kioskId).catch(() => []);
      const answer = records.find((r) => r.kind === 'issue.answered' || r.kind === 'issue.refused');
      if (answer !== undefined && answer.municipality !== null) {
        this.answered.record(
          conn.kioskId,
          m.requestId,
          answer.municipality,
          answer.kind === 'issue.answered',
          Date.parse(answer.at),
        );
        for (const r of records)
          if (r.kind === 'issue.outcome' && typeof r.detail['outcome'] === 'string')
            this.answered.recorded(conn.kioskId, m.requestId, r.detail['outcome']);
        answered = this.answered.take(conn.kioskId, m.requestId, Date.now(), m.outcome);
      }
    }
    if (answered === 'recorded') {
      metrics.inc('relay_outcomes_total', { result: 'duplicate' });
      conn.send({ v: 1, type: 'issue.outcome.ack', requestId: m.requestId });
      return;
    }
    if (answered === undefined) {
      metrics.inc('relay_outcomes_total', { result: 'unsolicited' });
      ids.failure('unsolicited-outcome', conn.source, 'PROTOCOL_MALFORMED', conn.kioskId);
      return;
    }
    metrics.inc('relay_outcomes_total', { result: 'accepted' });
    const municipality = answered.municipality;
    try {
      await control.audit.append({
        kind: 'issue.outcome',
        requestId: m.requestId,
        kioskId: conn.kioskId,
        municipality,
        detail: { outcome: m.outcome, code: m.code ?? null },
      });
      // In the audit log: the kiosk may stop resending it.
      this.answered.recorded(conn.kioskId, m.requestId, m.outcome);
      conn.send({ v: 1, type: 'issue.outcome.ack', requestId: m.requestId });
      if (m.outcome !== 'binding-mismatch') return;
      const stop = answered.response && !control.stops.isStopped(municipality);
      // Critical either way: an operator decides whether to widen the stop (fleet) or lift it.
      await control.raiseAlert({
        kind: 'binding-mismatch',
        severity: 'critical',
        source: conn.source,
        kioskId: conn.kioskId,
        detail: {
          requestId: m.requestId,
          municipality,
          stopped: stop ? municipality : null,
          answer: answered.response ? 'sealed' : 'error',
          action: 'check VRS for this municipality; widen the stop to the fleet if others are affected',
        },
      });
      if (stop) {
        // An answer reached the wrong request: stop this route until an operator has looked.
        await control.stopIssuance(
          municipality,
          'ENVELOPE_BINDING_MISMATCH reported by a kiosk',
          'automatic',
        );
      }
    } catch (err) {
      log.error('outcome.failed', {
        requestId: m.requestId,
        error: err instanceof Error ? err.message : 'error',
      });
    }
  }

  #pingAll(): void {
    for (const c of this.#all) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  #sweepHandshakes(): void {
    const now = Date.now();
    for (const c of this.#handshaking) {
      // Deadline from accept (the guard's), not from the upgrade.
      if (now - c.openedAt < this.#timeoutMs) continue;
      this.#handshaking.delete(c);
      this.#o.metrics.inc('relay_handshakes_total', { result: 'CHANNEL_HANDSHAKE_TIMEOUT' });
      this.#o.ids.failure('handshake-failed', c.source, 'CHANNEL_HANDSHAKE_TIMEOUT');
      c.close(CLOSE.handshake, 'CHANNEL_HANDSHAKE_TIMEOUT');
    }
    if (this.#seenHellos.size > 0 && now % 60_000 < 1000) {
      for (const [k, until] of this.#seenHellos) if (until <= now) this.#seenHellos.delete(k);
    }
  }

  async #flushHealth(): Promise<void> {
    if (this.#dirtyHealth.size === 0) return;
    const batch = [...this.#dirtyHealth].map(([kioskId, v]) => ({ kioskId, ...v }));
    this.#dirtyHealth.clear();
    try {
      for (let i = 0; i < batch.length; i += 2000)
        await this.#o.control.kiosks.recordSeen(batch.slice(i, i + 2000));
    } catch (err) {
      this.#o.log.warn('health.flush_failed', { error: err instanceof Error ? err.message : 'error' });
    }
  }

  /**
   * Stops taking kiosks and writes the last health batch. Open sessions get a close frame and are closed;
   * with `exiting` (the process exits next) they are left open for the operating system to close at exit.
   */
  async close(options: { exiting?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    this.guard.close();
    this.#reporter.close();
    for (const t of this.#timers) clearInterval(t);
    for (const u of this.#unsubscribe) u();
    this.sessions.close();
    if (options.exiting === true) {
      this.server.close(); // no new connections; the callback would wait for the sessions left open
      await this.#flushHealth();
      return;
    }
    // The database writes the last health batch while the connections close (kiosks can reconnect
    // elsewhere sooner; a restart is shorter by the flush's duration).
    const flushed = this.#flushHealth();
    for (const c of this.#all) {
      c.close(1001, 'RELAY_UNREACHABLE');
      c.ws.terminate();
    }
    await flushed;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
  }
}
