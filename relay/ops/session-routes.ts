import type { Context, Hono } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { z } from 'zod';
import { text } from '../../protocol/index.js';
import type { Control } from '../control.js';
import { RelayError } from '../errors.js';
import type { OperatorStore } from '../store/operators.js';
import { cookieName, readCookie, sameOrigin, secretEquals, sessionCookie, type OpsEnv } from './auth.js';

const LoginBody = z.object({ name: text(64), password: text(256) });

/**
 * Dashboard sign-in, outside `/api/*`: `POST /auth/login { name, password }` (same origin only, against
 * login CSRF) sets the session cookie and answers the session's CSRF token; `GET /auth/session` answers who
 * is signed in and the CSRF token (the page keeps it in memory); `POST /auth/logout` ends the session.
 */
export function sessionRoutes(
  app: Hono<OpsEnv>,
  deps: { control: Control; operators: OperatorStore; secureCookies: boolean },
): void {
  const { control, operators, secureCookies } = deps;
  const name = cookieName(secureCookies);
  const source = (c: Context<OpsEnv>): string => {
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };

  app.post('/auth/login', async (c) => {
    if (!sameOrigin(c)) throw new RelayError('RELAY_OPS_CSRF', 'sign-in from another origin refused');
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new RelayError('RELAY_OPS_BAD_REQUEST', 'body: JSON expected');
    }
    const b = LoginBody.safeParse(raw);
    if (!b.success) throw new RelayError('RELAY_OPS_BAD_REQUEST', 'invalid field: name or password');
    const from = source(c);
    const r = await operators.login(b.data.name, b.data.password, from);
    if (!r.ok) {
      if (r.code === 'RELAY_OPS_LOCKED') {
        if (r.lockedNow)
          await control.raiseAlert({
            kind: 'operator-lockout',
            severity: 'warning',
            source: from,
            detail: {
              operator: b.data.name,
              failures: r.failures,
              lockedForS: Math.ceil(r.retryAfterMs / 1000),
            },
          });
        return c.json(
          {
            ok: false,
            code: r.code,
            message: 'account locked',
            retryAfterS: Math.ceil(r.retryAfterMs / 1000),
          },
          429,
          { 'retry-after': String(Math.ceil(r.retryAfterMs / 1000)) },
        );
      }
      return c.json({ ok: false, code: r.code, message: 'wrong name or password' }, 401);
    }
    const maxAge = Math.floor(operators.policy.absoluteMs / 1000);
    c.header('set-cookie', sessionCookie(secureCookies, r.sessionId, maxAge));
    c.header('cache-control', 'no-store');
    return c.json({ ok: true, name: r.name, role: r.role, csrf: r.csrf, expiresAt: r.expiresAt });
  });

  app.get('/auth/session', async (c) => {
    c.header('cache-control', 'no-store');
    const sid = readCookie(c.req.header('cookie'), name);
    const p = sid === undefined ? undefined : await operators.session(sid);
    if (p === undefined) throw new RelayError('RELAY_OPS_UNAUTHORIZED', 'not signed in');
    return c.json({ ok: true, name: p.name, role: p.role, csrf: p.csrf });
  });

  app.post('/auth/logout', async (c) => {
    const sid = readCookie(c.req.header('cookie'), name);
    const p = sid === undefined ? undefined : await operators.session(sid);
    if (p !== undefined) {
      if (!sameOrigin(c) || p.csrf === undefined || !secretEquals(c.req.header('x-csrf-token') ?? '', p.csrf))
        throw new RelayError('RELAY_OPS_CSRF', 'cross-site request refused');
      await operators.logout(p, source(c));
    }
    c.header('set-cookie', sessionCookie(secureCookies, '', 0));
    return c.json({ ok: true });
  });
}
