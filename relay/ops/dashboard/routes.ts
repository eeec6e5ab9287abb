import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Control } from '../../control.js';
import { RelayError } from '../../errors.js';
import { FLEET_STATUSES } from '../../store/fleet.js';
import { isKioskId } from '../../store/keys.js';
import { OperatorName, Password, Role } from '../../store/operators.js';
import type { OperatorStore } from '../../store/operators.js';
import type { OpsEnv } from '../auth.js';
import { dashboardAssets, DASHBOARD_CSP } from './assets.js';
import { municipalitiesMatching, places } from './places.js';

const FleetQuery = z.object({
  status: z.enum([...FLEET_STATUSES, 'trouble']).optional(),
  prefecture: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
  municipality: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  q: z.string().max(64).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const AuditQuery = z.object({
  kind: z.string().max(64).optional(),
  kiosk: z.string().max(64).optional(),
  request: z.string().max(64).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const NewOperator = z.object({ name: OperatorName, role: Role, password: Password });

function parse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const field = r.error.issues[0]?.path.join('.') ?? '';
    throw new RelayError('RELAY_OPS_BAD_REQUEST', `invalid field: ${field || '(body)'}`);
  }
  return r.data;
}

export interface DashboardDeps {
  control: Control;
  operators: OperatorStore;
  status: () => Record<string, unknown>;
}

/**
 * The operators' dashboard: its page and static files (`/`, `/dash/*`, strict CSP, no inline script) and
 * the API routes only it needs (paged fleet, prefecture map, kiosk detail, audit search and chain check,
 * operations overview, operator accounts, one SSE stream with alerts, fleet changes and live figures).
 * Everything answered carries ids, codes, counts and places: the relay holds no personal data.
 */
export function dashboardRoutes(app: Hono<OpsEnv>, deps: DashboardDeps): void {
  const { control, operators } = deps;
  const fleet = control.fleet;
  const headers = {
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  };

  app.get('/', async (c) => {
    const a = (await dashboardAssets()).get('/')!;
    return c.body(a.body, 200, { ...headers, 'content-type': a.type });
  });
  app.get('/dash/:file', async (c) => {
    const a = (await dashboardAssets()).get(`/dash/${c.req.param('file')}`);
    if (a === undefined) throw new RelayError('RELAY_OPS_NOT_FOUND', 'no such file');
    return c.body(a.body, 200, { ...headers, 'content-type': a.type, 'cache-control': 'no-cache' });
  });

  const kioskParam = (c: Context<OpsEnv>): string => {
    const id = c.req.param('id') ?? '';
    if (!isKioskId(id)) throw new RelayError('RELAY_OPS_BAD_REQUEST', 'kiosk id: base64url key expected');
    return id;
  };
  const withPlace = <T extends { municipality: string | null }>(r: T) => ({
    ...r,
    municipalityName: r.municipality === null ? null : (places().places.get(r.municipality)?.name ?? null),
  });

  app.get('/api/places', (c) => c.json({ ok: true, prefectures: places().prefectures }));
  app.get('/api/places/:prefecture', (c) => {
    const pre = c.req.param('prefecture');
    const list = [...places().places.values()].filter((p) => p.prefecture === pre);
    return c.json({ ok: true, municipalities: list });
  });

  app.get('/api/fleet', async (c) => {
    const q = parse(FleetQuery, c.req.query());
    let municipalities = q.municipality === undefined ? undefined : [q.municipality];
    let text = q.q?.trim();
    if (text !== undefined && text !== '' && municipalities === undefined) {
      // A municipality name searches its kiosks; anything else searches store names and kiosk ids.
      const m = municipalitiesMatching(text);
      if (m.length > 0) {
        municipalities = m;
        text = undefined;
      }
    }
    const page = await fleet.page({
      status: q.status,
      prefecture: q.prefecture,
      municipalities,
      q: text,
      offset: q.offset,
      limit: q.limit,
    });
    return c.json({ ok: true, total: page.total, rows: page.rows.map(withPlace) });
  });
  // The map counts the whole fleet (57,000 rows): every open dashboard asks for it after every fleet change,
  // so one answer serves all of them until the fleet changes again (any process's change: a `fleet` notice),
  // and for at most 2 s (a relay process that goes silent turns its kiosks red with no notice).
  let mapCache: { at: number; answer: Promise<Awaited<ReturnType<typeof fleet.map>>> } | undefined;
  control.onFleet(() => (mapCache = undefined));
  app.get('/api/fleet/map', async (c) => {
    if (mapCache === undefined || Date.now() - mapCache.at > 2000)
      mapCache = { at: Date.now(), answer: fleet.map() };
    const mine = mapCache;
    try {
      return c.json({ ok: true, prefectures: await mine.answer });
    } catch (err) {
      if (mapCache === mine) mapCache = undefined;
      throw err;
    }
  });

  app.get('/api/kiosks/:id/detail', async (c) => {
    const id = kioskParam(c);
    const k = await fleet.kiosk(id);
    if (k === undefined) throw new RelayError('RELAY_OPS_NOT_FOUND', 'kiosk not enrolled');
    const [history, tx, alerts] = await Promise.all([
      fleet.history(id),
      control.db.query<{
        seq: string;
        at: Date;
        kind: string;
        request_id: string | null;
        municipality: string | null;
        detail: Record<string, unknown>;
      }>(
        `SELECT seq, at, kind, request_id, municipality, detail FROM relay_audit WHERE kiosk_id = $1
          ORDER BY seq DESC LIMIT 50`,
        [id],
      ),
      control.db.query(
        `SELECT id, at, kind, severity, detail, acknowledged_at, cleared_at FROM relay_alerts WHERE kiosk_id = $1
          ORDER BY id DESC LIMIT 50`,
        [id],
      ),
    ]);
    return c.json({
      ok: true,
      kiosk: withPlace(k),
      history,
      // Ids, outcome, timing and codes: what the audit record holds, which is never personal data.
      transactions: tx.rows.map((r) => ({
        seq: Number(r.seq),
        at: new Date(r.at).toISOString(),
        kind: r.kind,
        requestId: r.request_id,
        municipality: r.municipality,
        detail: r.detail,
      })),
      alerts: alerts.rows,
    });
  });

  app.get('/api/audit/search', async (c) => {
    const q = parse(AuditQuery, c.req.query());
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (q.kind) where.push(`kind LIKE ${p(`${q.kind.replace(/[\\%_]/g, '')}%`)}`);
    if (q.kiosk) where.push(`kiosk_id = ${p(q.kiosk)}`);
    if (q.request) where.push(`request_id = ${p(q.request)}`);
    if (q.from) where.push(`at >= ${p(q.from)}`);
    if (q.to) where.push(`at <= ${p(q.to)}`);
    if (q.before) where.push(`seq < ${p(q.before)}`);
    const r = await control.db.query(
      `SELECT seq, at, kind, request_id AS "requestId", kiosk_id AS "kioskId", municipality, detail, hash
         FROM relay_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${p(q.limit)}`,
      params,
    );
    return c.json({ ok: true, records: r.rows.map((x) => ({ ...x, seq: Number(x['seq']) })) });
  });
  /** The chain check as data (200 either way): where it breaks, with that record and the one before it. */
  app.get('/api/audit/check', async (c) => {
    const v = await control.audit.verify();
    if (v.ok) return c.json({ ok: true, intact: true, count: v.count, head: v.head });
    const around = await control.audit.list(Math.max(0, v.seq - 2), 2);
    return c.json({ ok: true, intact: false, brokenAt: v.seq, records: around });
  });

  app.get('/api/operations', async (c) => {
    const [processes, stops, codes, bans] = await Promise.all([
      fleet.processes(),
      control.stops.list(),
      control.codes.listPending(),
      control.bans.list(),
    ]);
    return c.json({
      ok: true,
      status: deps.status(),
      processes,
      stops,
      codes: codes.map(withPlace),
      bans,
    });
  });

  app.get('/api/operators', async (c) => c.json({ ok: true, operators: await operators.list() }));
  app.post('/api/operators', async (c) => {
    const b = parse(NewOperator, await c.req.json().catch(() => undefined));
    if (!(await operators.add(b.name, b.role, b.password, c.get('principal').name)))
      throw new RelayError('RELAY_OPS_BAD_REQUEST', 'operator exists');
    return c.json({ ok: true }, 201);
  });
  app.post('/api/operators/:name/disable', async (c) => {
    if (!(await operators.disable(c.req.param('name'), c.get('principal').name)))
      throw new RelayError('RELAY_OPS_NOT_FOUND', 'no such operator');
    return c.json({ ok: true });
  });

  /** One stream per open dashboard: `alert`, `fleet` (refresh what you show), `live` (every second). */
  app.get('/api/dashboard/stream', (c) =>
    streamSSE(c, async (stream) => {
      const queue: Array<{ event: string; data: string }> = [];
      let wake: (() => void) | undefined;
      const push = (event: string, data: unknown) => {
        if (queue.length < 1000) queue.push({ event, data: JSON.stringify(data) });
        wake?.();
      };
      const offAlert = control.onAlert((a) => push('alert', a));
      let fleetPending = false;
      const offFleet = control.onFleet((ev) => {
        if (ev.cleared && ev.cleared.length > 0) push('cleared', ev.cleared);
        if (fleetPending) return;
        fleetPending = true;
        // At most one refresh hint per 250 ms, whatever a reconnect storm does.
        setTimeout(() => {
          fleetPending = false;
          push('fleet', {});
        }, 250).unref();
      });
      const live = setInterval(() => {
        void fleet.processes().then(
          (p) => push('live', p),
          () => undefined,
        );
      }, 1000);
      live.unref();
      stream.onAbort(() => {
        offAlert();
        offFleet();
        clearInterval(live);
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: '{}' });
      while (!stream.aborted && !stream.closed) {
        const m = queue.shift();
        if (m === undefined) {
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 15_000).unref();
          });
          wake = undefined;
          continue;
        }
        await stream.writeSSE(m);
      }
      offAlert();
      offFleet();
      clearInterval(live);
    }),
  );
}
