import type { Context, MiddlewareHandler } from 'hono';
import { createHash, timingSafeEqual } from 'node:crypto';
import { RelayError } from '../errors.js';
import { roleAllows, type OperatorStore, type Principal, type Role } from '../store/operators.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time string comparison (both sides hashed to equal length first). */
export function secretEquals(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Checks `Authorization: Bearer <token>` in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  return secretEquals(header.slice(7), token);
}

export interface OpsEnv {
  Variables: { principal: Principal };
}

/**
 * The session cookie. Over https (`secure`) it is `__Host-relay_session; Secure`: the browser sends it
 * only to this exact origin, over TLS, and no subdomain can plant one. The development ops listener is
 * plain http on loopback, where a `Secure` cookie would not be stored by every browser, so there it is
 * `relay_session` without `Secure`; both are `HttpOnly` (no script reads it) and `SameSite=Strict` (no
 * cross-site request carries it). Off loopback the relay refuses to run the dashboard without TLS in front
 * (`opsSecureCookies`).
 */
export function cookieName(secure: boolean): string {
  return secure ? '__Host-relay_session' : 'relay_session';
}

export function sessionCookie(secure: boolean, value: string, maxAgeS: number): string {
  return [
    `${cookieName(secure)}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeS}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * A state change from a browser must come from this origin: `Origin` (sent by browsers on every POST,
 * PUT, DELETE) equal to the request's own origin, and `Sec-Fetch-Site`, when present, `same-origin`.
 */
export function sameOrigin(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = c.req.header('origin');
  if (origin === undefined) return site === 'same-origin';
  try {
    return new URL(origin).host === new URL(c.req.url).host;
  } catch {
    return false;
  }
}

/** The role a route needs: reading is for everyone, operator management for admins, other changes for operators. */
export function neededRole(method: string, path: string): Role {
  if (path.startsWith('/api/operators')) return 'admin';
  if (method === 'GET' || method === 'HEAD') return 'viewer';
  return 'operator';
}

/**
 * Authenticates every `/api/*` and `/metrics` request: a per-operator API token (`Authorization: Bearer`),
 * or a dashboard session cookie, whose state changes must also carry the session's synchronizer token in
 * `x-csrf-token` and come from this origin. Then checks the route's role. The server refuses; hiding a
 * button in the page is only a convenience.
 */
export function authenticate(operators: OperatorStore, secure: boolean): MiddlewareHandler<OpsEnv> {
  return async (c, next) => {
    const auth = c.req.header('authorization');
    let p: Principal | undefined;
    if (auth !== undefined) {
      if (auth.startsWith('Bearer ')) p = await operators.tokenPrincipal(auth.slice(7));
      if (p === undefined) throw new RelayError('RELAY_OPS_UNAUTHORIZED', 'bearer token required');
    } else {
      const sid = readCookie(c.req.header('cookie'), cookieName(secure));
      if (sid !== undefined) p = await operators.session(sid);
      if (p === undefined)
        throw new RelayError('RELAY_OPS_UNAUTHORIZED', 'sign in (session over or missing)');
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
        const token = c.req.header('x-csrf-token') ?? '';
        if (!sameOrigin(c) || p.csrf === undefined || !secretEquals(token, p.csrf))
          throw new RelayError('RELAY_OPS_CSRF', 'cross-site request refused');
      }
    }
    // Answered from memory while the database is unreachable: look, but change nothing.
    if (p.degraded === true && c.req.method !== 'GET' && c.req.method !== 'HEAD')
      throw new RelayError('RELAY_DB_UNAVAILABLE', 'the database is unreachable: changes are refused');
    if (!roleAllows(p.role, neededRole(c.req.method, c.req.path)))
      throw new RelayError('RELAY_OPS_FORBIDDEN', `role ${p.role} may not do this`);
    c.set('principal', p);
    await next();
  };
}
