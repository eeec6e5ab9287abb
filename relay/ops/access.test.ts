import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPS_TOKEN, startTestRelay, type TestRelay } from '../testing/harness.js';

/** Operator accounts, sessions, CSRF, roles and lockout, through the operations app in-process. */
let t: TestRelay;
let clock = Date.now();
const ORIGIN = 'http://127.0.0.1:9';

beforeAll(async () => {
  t = await startTestRelay({}, {}, undefined, { now: () => clock });
  await t.relay.operators.add('alice', 'admin', 'alice-password-123', 'test');
  await t.relay.operators.add('victor', 'viewer', 'victor-password-123', 'test');
  await t.relay.operators.add('olga', 'operator', 'olga-password-123', 'test');
});
afterAll(async () => {
  await t.stop();
});

const req = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  t.relay.ops.request(`${ORIGIN}${path}`, init);

async function login(name: string, password: string) {
  const res = await req('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify({ name, password }),
  });
  const body = (await res.json()) as { ok: boolean; code?: string; csrf?: string; role?: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { res, body, cookie };
}

describe('operations access', () => {
  it('stores argon2id hashes, never the password', async () => {
    const r = await t.relay.db.query<{ password_hash: string }>(
      "SELECT password_hash FROM relay_operators WHERE name = 'alice'",
    );
    expect(r.rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(r.rows[0]?.password_hash).not.toContain('alice-password');
  });

  it('keeps the configured token working as the bootstrap admin, and refuses other tokens', async () => {
    expect((await req('/api/status', { headers: { authorization: `Bearer ${OPS_TOKEN}` } })).status).toBe(
      200,
    );
    const bad = await req('/api/status', { headers: { authorization: 'Bearer nope-nope-nope-nope' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 'RELAY_OPS_UNAUTHORIZED' });
  });

  it('signs in with a session cookie that is HttpOnly and SameSite=Strict, and audits the login', async () => {
    const { res, body } = await login('alice', 'alice-password-123');
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ ok: true, role: 'admin' });
    const sc = res.headers.get('set-cookie') ?? '';
    expect(sc).toMatch(/^relay_session=/);
    expect(sc).toContain('HttpOnly');
    expect(sc).toContain('SameSite=Strict');
    const audit = await t.relay.control.audit.list(0, 10_000);
    expect(audit.some((a) => a.kind === 'operator.login' && a.detail['operator'] === 'alice')).toBe(true);
  });

  it('refuses a sign-in from another origin (login CSRF)', async () => {
    const res = await req('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ name: 'alice', password: 'alice-password-123' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'RELAY_OPS_CSRF' });
  });

  it('refuses a state change without the CSRF token or from another origin', async () => {
    const { cookie, body } = await login('olga', 'olga-password-123');
    const post = (headers: Record<string, string>) =>
      req('/api/enrollment-codes', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'x' }),
      });
    const none = await post({ origin: ORIGIN });
    expect(none.status).toBe(403);
    expect(await none.json()).toMatchObject({ code: 'RELAY_OPS_CSRF' });
    const cross = await post({ origin: 'http://evil.example', 'x-csrf-token': body.csrf ?? '' });
    expect(cross.status).toBe(403);
    const wrong = await post({ origin: ORIGIN, 'x-csrf-token': 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const good = await post({ origin: ORIGIN, 'x-csrf-token': body.csrf ?? '' });
    expect(good.status).toBe(201);
  });

  it('lets a viewer read but not revoke or stop (the server refuses)', async () => {
    const { cookie, body } = await login('victor', 'victor-password-123');
    expect((await req('/api/status', { headers: { cookie } })).status).toBe(200);
    const res = await req(`/api/kiosks/${'A'.repeat(43)}/revoke`, {
      method: 'POST',
      headers: {
        cookie,
        origin: ORIGIN,
        'x-csrf-token': body.csrf ?? '',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'test' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'RELAY_OPS_FORBIDDEN' });
    const token = await t.relay.operators.createToken('victor', 'script', 'test');
    const viaToken = await req('/api/stops', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'fleet', reason: 'x' }),
    });
    expect(viaToken.status).toBe(403);
  });

  it('records the signed-in operator as the one who acted, in the same transaction', async () => {
    const { cookie, body } = await login('olga', 'olga-password-123');
    const alert = await t.relay.control.raiseAlert({ kind: 'replay', severity: 'critical' });
    const res = await req(`/api/alerts/${alert.id}/ack`, {
      method: 'POST',
      headers: { cookie, origin: ORIGIN, 'x-csrf-token': body.csrf ?? '' },
    });
    expect(res.status).toBe(200);
    const audit = await t.relay.control.audit.list(0, 10_000);
    expect(
      audit.find((a) => a.kind === 'alert.acknowledged' && a.detail['alertId'] === alert.id),
    ).toMatchObject({
      detail: { by: 'olga' },
    });
    expect((await t.relay.control.audit.verify()).ok).toBe(true);
  });

  it('ends a session after the idle time and after the absolute time (injected clock)', async () => {
    const { cookie } = await login('alice', 'alice-password-123');
    const p = t.relay.operators.policy;
    clock += p.idleMs - 1000;
    expect((await req('/api/status', { headers: { cookie } })).status).toBe(200);
    clock += p.idleMs + 1;
    expect((await req('/api/status', { headers: { cookie } })).status).toBe(401);

    const second = await login('alice', 'alice-password-123');
    for (let used = 0; used < p.absoluteMs; used += p.idleMs / 2) {
      clock += p.idleMs / 2;
      if (used + p.idleMs / 2 >= p.absoluteMs) break;
      expect((await req('/api/status', { headers: { cookie: second.cookie } })).status).toBe(200);
    }
    expect((await req('/api/status', { headers: { cookie: second.cookie } })).status).toBe(401);
  });

  it('locks an account after 3 failures with a growing delay, raises an alert, and checks no password while locked', async () => {
    await t.relay.operators.add('mallory', 'viewer', 'mallory-password-1', 'test');
    for (let i = 0; i < 2; i++) expect((await login('mallory', 'wrong-password!!')).res.status).toBe(401);
    const third = await login('mallory', 'wrong-password!!');
    expect(third.res.status).toBe(429);
    expect(third.body.code).toBe('RELAY_OPS_LOCKED');
    const first = Number(third.res.headers.get('retry-after'));
    const alerts = await t.relay.control.alerts.list({ limit: 50 });
    expect(alerts.some((a) => a.kind === 'operator-lockout' && a.detail['operator'] === 'mallory')).toBe(
      true,
    );
    // Locked: even the right password is refused.
    expect((await login('mallory', 'mallory-password-1')).res.status).toBe(429);
    clock += first * 1000 + 1;
    const fourth = await login('mallory', 'wrong-password!!');
    expect(fourth.res.status).toBe(429);
    expect(Number(fourth.res.headers.get('retry-after'))).toBe(first * 2);
    clock += first * 2000 + 1;
    expect((await login('mallory', 'mallory-password-1')).res.status).toBe(200);
  });

  it('answers the same code for an unknown name as for a wrong password', async () => {
    const r = await login('nobody', 'whatever-password');
    expect(r.res.status).toBe(401);
    expect(r.body.code).toBe('RELAY_OPS_LOGIN_FAILED');
  });
});
