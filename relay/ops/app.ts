import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { z } from 'zod';
import { ERROR_CODES, NOT_WELL_FORMED } from '../../protocol/index.js';
import type { Control } from '../control.js';
import { RelayError } from '../errors.js';
import type { Alert } from '../store/alerts.js';
import { isKioskId } from '../store/keys.js';
import type { OperatorStore } from '../store/operators.js';
import { authenticate, type OpsEnv } from './auth.js';
import { places } from './dashboard/places.js';
import { sessionRoutes } from './session-routes.js';
import {
  BanSubject,
  CreateCodeBody,
  KioskPaging,
  Operator,
  Paging,
  RevokeBody,
  StopBody,
} from './schemas.js';
import { STATUS_PAGE } from './status-page.js';

/** What the operations API reads from the running relay besides the stored state. */
export interface OpsView {
  status(): Record<string, unknown>;
  isOnline(kioskId: string): boolean;
  metrics(): string;
}

const STATUS_OF: Record<string, number> = {
  RELAY_OPS_UNAUTHORIZED: 401,
  RELAY_OPS_BAD_REQUEST: 400,
  RELAY_OPS_NOT_FOUND: 404,
  RELAY_AUDIT_CHAIN_BROKEN: 409,
  RELAY_OPS_FORBIDDEN: 403,
  RELAY_OPS_CSRF: 403,
  RELAY_OPS_LOGIN_FAILED: 401,
  RELAY_OPS_LOCKED: 429,
  RELAY_DB_UNAVAILABLE: 503,
};

async function body<S extends z.ZodType>(c: Context<OpsEnv>, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new RelayError('RELAY_OPS_BAD_REQUEST', 'body: JSON expected');
  }
  return parse(schema, raw);
}

function parse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    const why = issue?.message === NOT_WELL_FORMED ? ` (${NOT_WELL_FORMED})` : '';
    throw new RelayError('RELAY_OPS_BAD_REQUEST', `invalid field: ${field || '(body)'}${why}`);
  }
  return r.data;
}

/**
 * The operations API (Hono), on its own address, behind a bearer token. The dashboard uses the same
 * routes. Every error is `{ ok: false, code, message }` with a status mapped from the code; a 500 says
 * RELAY_INTERNAL and nothing more.
 */
export function opsApp(deps: {
  control: Control;
  view: OpsView;
  operators: OperatorStore;
  /** Session cookie `__Host-…; Secure` (the ops address is behind TLS) or plain (http on loopback). */
  secureCookies: boolean;
  /** Mounts the dashboard's pages, scripts and its own API routes. */
  extend?: (app: Hono<OpsEnv>) => void;
}): Hono<OpsEnv> {
  const { control, view, operators, secureCookies } = deps;
  // What this process remembers of operators' sessions and tokens (for a database outage) follows every
  // revocation in the cluster: made here, it is published; made anywhere, it is forgotten here.
  operators.onRevoked = (name) =>
    void control.operatorRevoked(name).catch(() => undefined /* the others reload after their gap */);
  control.onOperatorRevoked((name) => operators.verified.forgetOperator(name));
  control.onResync(() => operators.verified.clear());
  const app = new Hono<OpsEnv>();

  app.onError((err, c) => {
    if (err instanceof RelayError) {
      return c.json({ ok: false, code: err.code, message: err.message }, (STATUS_OF[err.code] ?? 400) as 400);
    }
    // Whatever failed while the database is away failed for that reason: say so (and nothing else).
    if (!control.fleet.database().reachable)
      return c.json(
        { ok: false, code: 'RELAY_DB_UNAVAILABLE', message: ERROR_CODES.RELAY_DB_UNAVAILABLE.meaning },
        503,
      );
    return c.json({ ok: false, code: 'RELAY_INTERNAL', message: ERROR_CODES.RELAY_INTERNAL.meaning }, 500);
  });
  app.notFound((c) => c.json({ ok: false, code: 'RELAY_OPS_NOT_FOUND', message: 'no such route' }, 404));

  if (deps.extend === undefined) app.get('/', (c) => c.html(STATUS_PAGE));
  sessionRoutes(app, { control, operators, secureCookies });

  app.use('/api/*', authenticate(operators, secureCookies));
  app.use('/metrics', authenticate(operators, secureCookies));

  /**
   * The name recorded in the audit log: the signed-in operator or the token's owner. Only the `bootstrap`
   * account (the configured `opsToken` of scripts and tests) may add a name of its own (`x-operator`).
   */
  const operator = (c: Context<OpsEnv>): string => {
    const p = c.get('principal');
    const h = c.req.header('x-operator');
    if (p.name === 'bootstrap' && h !== undefined && Operator.safeParse(h).success) return `bootstrap/${h}`;
    return p.name;
  };
  const kioskParam = (c: Context<OpsEnv>): string => {
    const id = c.req.param('id') ?? '';
    if (!isKioskId(id)) throw new RelayError('RELAY_OPS_BAD_REQUEST', 'kiosk id: base64url key expected');
    return id;
  };

  app.get('/metrics', (c) => c.text(view.metrics(), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  app.get('/api/status', (c) =>
    c.json({
      ok: true,
      ...view.status(),
      database: control.fleet.database(),
      degraded: c.get('principal').degraded === true,
    }),
  );

  app.get('/api/kiosks', async (c) => {
    const q = parse(KioskPaging, c.req.query());
    const list = await control.kiosks.list(q.limit, q.after);
    return c.json({ ok: true, kiosks: list.map((k) => ({ ...k, online: view.isOnline(k.kioskId) })) });
  });
  app.get('/api/kiosks/:id', async (c) => {
    const k = await control.kiosks.get(kioskParam(c));
    if (k === undefined) throw new RelayError('RELAY_OPS_NOT_FOUND', 'kiosk not enrolled');
    return c.json({ ok: true, kiosk: { ...k, online: view.isOnline(k.kioskId) } });
  });
  app.post('/api/kiosks/:id/revoke', async (c) => {
    const id = kioskParam(c);
    const b = await body(c, RevokeBody);
    if (!(await control.revoke(id, b.reason, operator(c))))
      throw new RelayError('RELAY_OPS_NOT_FOUND', 'kiosk not enrolled');
    return c.json({ ok: true });
  });

  app.get('/api/enrollment-codes', async (c) =>
    c.json({ ok: true, codes: await control.codes.listPending() }),
  );
  app.post('/api/enrollment-codes', async (c) => {
    const b = await body(c, CreateCodeBody);
    if (b.municipality !== undefined && !places().places.has(b.municipality))
      throw new RelayError('RELAY_OPS_BAD_REQUEST', 'municipality: not a JIS X 0402 code we know');
    const out = await control.createEnrollCode(
      b.name,
      b.ttlMinutes === undefined ? undefined : b.ttlMinutes * 60_000,
      operator(c),
      { store: b.store, municipality: b.municipality },
    );
    return c.json({ ok: true, ...out }, 201);
  });

  app.get('/api/stops', async (c) => c.json({ ok: true, stops: await control.stops.list() }));
  app.post('/api/stops', async (c) => {
    const b = await body(c, StopBody);
    await control.stopIssuance(b.scope, b.reason, operator(c));
    return c.json({ ok: true });
  });
  app.delete('/api/stops/:scope', async (c) => {
    const scope = c.req.param('scope');
    if (!/^(fleet|\d{6})$/.test(scope))
      throw new RelayError('RELAY_OPS_BAD_REQUEST', 'scope: "fleet" or a 6-digit code');
    if (!(await control.resumeIssuance(scope, operator(c))))
      throw new RelayError('RELAY_OPS_NOT_FOUND', 'not stopped');
    return c.json({ ok: true });
  });

  app.get('/api/bans', async (c) => c.json({ ok: true, bans: await control.bans.list() }));
  app.delete('/api/bans/:scope/:subject', async (c) => {
    const scope = c.req.param('scope');
    if (scope !== 'source' && scope !== 'identity')
      throw new RelayError('RELAY_OPS_BAD_REQUEST', 'scope: source or identity');
    const subject = parse(BanSubject, c.req.param('subject'));
    if (!(await control.liftBan(scope, subject, operator(c)))) {
      throw new RelayError('RELAY_OPS_NOT_FOUND', 'no such ban');
    }
    return c.json({ ok: true });
  });

  app.get('/api/alerts', async (c) => {
    const q = parse(Paging, c.req.query());
    const alerts = await control.alerts.list({
      afterId: q.after,
      limit: q.limit,
      unacknowledged: c.req.query('unacknowledged') === 'true',
    });
    return c.json({ ok: true, alerts });
  });
  app.post('/api/alerts/:id/ack', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0)
      throw new RelayError('RELAY_OPS_BAD_REQUEST', 'alert id: positive integer');
    if (!(await control.alerts.acknowledge(id, operator(c))))
      throw new RelayError('RELAY_OPS_NOT_FOUND', 'no such alert');
    return c.json({ ok: true });
  });
  /** Server-sent events: every new alert, from every relay process, as `event: alert`. */
  app.get('/api/alerts/stream', (c) =>
    streamSSE(c, async (stream) => {
      const queue: Alert[] = [];
      let wake: (() => void) | undefined;
      const off = control.onAlert((a) => {
        if (queue.length < 1000) queue.push(a);
        wake?.();
      });
      stream.onAbort(() => {
        off();
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: '{}' });
      while (!stream.aborted && !stream.closed) {
        const a = queue.shift();
        if (a === undefined) {
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 15_000).unref();
          });
          wake = undefined;
          if (queue.length === 0 && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '{}' });
          continue;
        }
        await stream.writeSSE({ event: 'alert', id: String(a.id), data: JSON.stringify(a) });
      }
      off();
    }),
  );

  app.get('/api/audit', async (c) => {
    const q = parse(Paging, c.req.query());
    return c.json({ ok: true, records: await control.audit.list(q.after, q.limit) });
  });
  /** The whole log as NDJSON, oldest first: the export an auditor verifies offline. */
  app.get('/api/audit/export', async (c) => {
    const lines: string[] = [];
    for (let after = 0; ;) {
      const page = await control.audit.list(after, 5000);
      for (const r of page) lines.push(JSON.stringify(r));
      if (page.length < 5000) break;
      after = page[page.length - 1]?.seq ?? after;
    }
    return c.body(lines.join('\n') + (lines.length ? '\n' : ''), 200, {
      'content-type': 'application/x-ndjson',
    });
  });
  app.get('/api/audit/verify', async (c) => {
    const v = await control.audit.verify();
    if (!v.ok) throw new RelayError('RELAY_AUDIT_CHAIN_BROKEN', `chain broken at record ${v.seq}`);
    return c.json(v);
  });

  deps.extend?.(app);
  return app;
}
