import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nodeCrypto } from '../common/crypto-node.js';
import { openDb } from '../common/db.js';
import { generateIdentity, keyId, newRequestId, utf8 } from '../protocol/index.js';
import { startTestRelay, waitUntil, type TestRelay } from './testing/harness.js';
import { TEST_HEALTH, TestKiosk } from './testing/test-kiosk.js';

let t: TestRelay;
let webhookBodies: string[] = [];
const webhook = createServer((req, res) => {
  let b = '';
  req.on('data', (c: Buffer) => (b += c.toString()));
  req.on('end', () => {
    webhookBodies.push(b);
    res.end('ok');
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', () => r()));
  const port = (webhook.address() as AddressInfo).port;
  t = await startTestRelay({
    webhookUrl: `http://127.0.0.1:${port}/hook`,
    ids: { flapConnectsPerMinute: 15, sourceFailuresPerMinute: 1000 },
  });
});
afterAll(async () => {
  await t.stop();
  await new Promise<void>((r) => webhook.close(() => r()));
});

const relayKey = () => t.relay.identity.publicKey;
const ops = (path: string, init: RequestInit = {}) =>
  t.relay.ops.request(path, {
    ...init,
    headers: { ...t.opsHeaders, ...(init.headers as Record<string, string>) },
  });

async function enrolledKiosk(): Promise<TestKiosk> {
  const identity = generateIdentity(nodeCrypto);
  await t.relay.control.kiosks.insert(keyId(identity.publicKey), 'test');
  const r = await TestKiosk.connect(t.relay.info.kiosk, relayKey(), { identity });
  if (!r.ok) throw new Error(`connect refused: ${r.code}`);
  await r.kiosk.heartbeat(0); // the session is registered once the first frame is processed
  return r.kiosk;
}

describe('enrollment', () => {
  it('enrolls a kiosk with a one-time code over HTTP, then it connects', async () => {
    const res = await ops('/api/enrollment-codes', {
      method: 'POST',
      body: JSON.stringify({ name: 'store-42' }),
    });
    expect(res.status).toBe(201);
    const { code } = (await res.json()) as { code: string };
    const identity = generateIdentity(nodeCrypto);
    const enroll = (c: string) =>
      fetch(t.relay.info.enroll, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: c, publicKey: keyId(identity.publicKey) }),
      });
    const ok = await enroll(code);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      ok: true,
      kioskId: keyId(identity.publicKey),
      relayPublicKey: t.relay.info.identityPublicKey,
    });
    const again = await enroll(code);
    expect(again.status).toBe(403);
    expect(((await again.json()) as { code: string }).code).toBe('RELAY_ENROLL_CODE_INVALID');
    const bad = await fetch(t.relay.info.enroll, { method: 'POST', body: '{"nope":1}' });
    expect(((await bad.json()) as { code: string }).code).toBe('RELAY_OPS_BAD_REQUEST');
    const r = await TestKiosk.connect(t.relay.info.kiosk, relayKey(), { identity });
    expect(r.ok).toBe(true);
    if (r.ok) r.kiosk.close();
  });
});

describe('kiosk endpoint', () => {
  it('refuses an unknown key before the upgrade, with 403 and a code', async () => {
    const r = await TestKiosk.connect(t.relay.info.kiosk, relayKey());
    expect(r).toEqual({ ok: false, status: 403, code: 'RELAY_KIOSK_UNKNOWN' });
  });

  it('refuses a missing or garbled hello with 401', async () => {
    for (const headers of [{}, { 'x-channel-hello': 'AAAA' }]) {
      const ws = new WebSocket(t.relay.info.kiosk, { headers });
      const status = await new Promise<number | undefined>((resolve) => {
        ws.on('unexpected-response', (_q, res) => resolve(res.statusCode));
        ws.on('open', () => resolve(101));
        ws.on('error', () => resolve(undefined));
      });
      ws.terminate();
      expect(status).toBe(401);
    }
  });

  it('refuses a kiosk that pins another relay key (the kiosk side fails)', async () => {
    const identity = generateIdentity(nodeCrypto);
    await t.relay.control.kiosks.insert(keyId(identity.publicKey), null);
    const r = await TestKiosk.connect(t.relay.info.kiosk, generateIdentity(nodeCrypto).publicKey, {
      identity,
    });
    expect(r).toMatchObject({ ok: false, code: 'CHANNEL_UNKNOWN_PEER' });
  });

  it('answers heartbeats and the municipality list', async () => {
    const k = await enrolledKiosk();
    const ack = await k.heartbeat(1);
    expect(ack).toMatchObject({ type: 'heartbeat.ack', seq: 1 });
    const requestId = newRequestId(nodeCrypto);
    const p = k.waitFor(requestId);
    k.send({ v: 1, type: 'municipalities.request', requestId });
    const list = await p;
    expect(list.type === 'municipalities.response' && list.list).toEqual(['131016', '271004']);
    k.close();
  });

  it('forwards a sealed request and delivers the bound answer, audited first', async () => {
    const k = await enrolledKiosk();
    const r = await k.request(t.vrs.box.publicKey, '131016');
    expect(r.reply.type).toBe('issue.response');
    expect(r.opened).toEqual({ ok: true, answer: { outcome: 'no-record' } });
    const audit = await t.relay.control.audit.list(0, 10_000);
    const rec = audit.find((a) => a.requestId === r.requestId);
    expect(rec).toMatchObject({ kind: 'issue.answered', kioskId: k.kioskId, municipality: '131016' });
    expect((await t.relay.control.audit.verify()).ok).toBe(true);
    k.close();
  });

  it('does not answer when the audit record cannot be written (RELAY_AUDIT_UNAVAILABLE)', async () => {
    const k = await enrolledKiosk();
    await t.relay.db.exec(`
      CREATE FUNCTION test_refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$ LANGUAGE plpgsql;
      CREATE TRIGGER test_refuse_audit BEFORE INSERT ON relay_audit FOR EACH ROW EXECUTE FUNCTION test_refuse_audit();`);
    try {
      const r = await k.request(t.vrs.box.publicKey, '131016');
      expect(r.reply).toMatchObject({ type: 'issue.error', code: 'RELAY_AUDIT_UNAVAILABLE' });
    } finally {
      await t.relay.db.exec(
        'DROP TRIGGER test_refuse_audit ON relay_audit; DROP FUNCTION test_refuse_audit();',
      );
    }
    expect((await k.request(t.vrs.box.publicKey, '131016')).opened?.ok).toBe(true);
    expect(k.unexpected).toBe(0);
    expect((await t.relay.control.audit.verify()).ok).toBe(true);
    k.close();
  });

  it('refuses a request id already in flight, and unknown municipalities', async () => {
    const k = await enrolledKiosk();
    t.vrs.delayMs = () => 300;
    try {
      const requestId = newRequestId(nodeCrypto);
      const first = k.request(t.vrs.box.publicKey, '131016', requestId);
      // The same id again while the first is pending: the refusal comes back first, on the same waiter.
      const second = await k.request(t.vrs.box.publicKey, '131016', requestId);
      expect(second.reply).toMatchObject({ type: 'issue.error', code: 'RELAY_DUPLICATE_REQUEST' });
      await waitUntil(() => k.unexpected === 1); // the first request's answer, whose waiter was taken
      void first.catch(() => undefined);
    } finally {
      t.vrs.delayMs = undefined;
    }
    const unknown = await k.request(t.vrs.box.publicKey, '011002');
    expect(unknown.reply).toMatchObject({ type: 'issue.error', code: 'RELAY_MUNICIPALITY_UNKNOWN' });
    k.close();
  });

  it('answers RELAY_BUSY beyond the per-session in-flight limit (backpressure)', async () => {
    const k = await enrolledKiosk();
    t.vrs.delayMs = () => 300;
    try {
      const all = await Promise.all(
        Array.from({ length: 17 }, () => k.request(t.vrs.box.publicKey, '131016')),
      );
      const codes = all.map((r) => (r.reply.type === 'issue.error' ? r.reply.code : 'ok'));
      expect(codes.filter((c) => c === 'ok')).toHaveLength(16);
      expect(codes.filter((c) => c === 'RELAY_BUSY')).toHaveLength(1);
    } finally {
      t.vrs.delayMs = undefined;
    }
    k.close();
  });

  it('replaces a second session of one identity and raises a clone alert', async () => {
    const identity = generateIdentity(nodeCrypto);
    await t.relay.control.kiosks.insert(keyId(identity.publicKey), null);
    const a = await TestKiosk.connect(t.relay.info.kiosk, relayKey(), { identity });
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    await a.kiosk.heartbeat(1);
    const b = await TestKiosk.connect(t.relay.info.kiosk, relayKey(), { identity });
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    await a.kiosk.closed;
    expect(a.kiosk.closeCode).toBe(4409);
    expect(a.kiosk.notices.map((n) => n.code)).toContain('RELAY_SESSION_REPLACED');
    expect(await b.kiosk.heartbeat(1)).toMatchObject({ type: 'heartbeat.ack' });
    await waitUntil(async () =>
      (await t.relay.control.alerts.list()).some(
        (x) => x.kind === 'clone-suspected' && x.kioskId === keyId(identity.publicKey),
      ),
    );
    b.kiosk.close();
  });

  it('revocation closes the open session at once and refuses reconnection', async () => {
    const k = await enrolledKiosk();
    await k.heartbeat(1);
    const res = await ops(`/api/kiosks/${k.kioskId}/revoke`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'stolen' }),
    });
    expect(res.status).toBe(200);
    await k.closed;
    expect(k.closeCode).toBe(4403);
    expect(k.notices.map((n) => n.code)).toContain('RELAY_KIOSK_REVOKED');
    const again = await TestKiosk.connect(t.relay.info.kiosk, relayKey(), { identity: k.identity });
    expect(again).toEqual({ ok: false, status: 403, code: 'RELAY_KIOSK_REVOKED' });
  });

  it('closes the connection on a text frame, a garbage frame or a malformed message, with alerts', async () => {
    const k1 = await enrolledKiosk();
    k1.sendRaw('hello');
    await k1.closed;
    expect(k1.closeCode).toBe(4400);
    const k2 = await enrolledKiosk();
    k2.sendRaw(new Uint8Array(40));
    await k2.closed;
    expect(k2.closeCode).toBe(4400);
    const k3 = await enrolledKiosk();
    k3.sendRaw(k3.sealRaw(utf8('{"v":1,"type":"nope"}')));
    await k3.closed;
    expect(k3.closeReason).toBe('PROTOCOL_MALFORMED');
    await waitUntil(async () =>
      (await t.relay.control.alerts.list()).some((a) => a.kind === 'malformed-frame'),
    );
  });

  it('refuses a replayed hello and raises a replay alert', async () => {
    const identity = generateIdentity(nodeCrypto);
    await t.relay.control.kiosks.insert(keyId(identity.publicKey), null);
    const { createInitiator } = await import('../protocol/index.js');
    const init = createInitiator({ identity, peerPublicKey: relayKey(), crypto: nodeCrypto });
    const statusOf = () =>
      new Promise<number | undefined>((resolve) => {
        const ws = new WebSocket(t.relay.info.kiosk, { headers: { 'x-channel-hello': init.hello } });
        ws.on('unexpected-response', (_q, res) => {
          resolve(res.statusCode);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve(101);
          ws.terminate();
        });
        ws.on('error', () => resolve(undefined));
      });
    expect(await statusOf()).toBe(101);
    expect(await statusOf()).toBe(401);
    await waitUntil(async () => (await t.relay.control.alerts.list()).some((a) => a.kind === 'replay'));
  });

  it('bans a flapping identity (15 connects a minute)', async () => {
    const identity = generateIdentity(nodeCrypto);
    await t.relay.control.kiosks.insert(keyId(identity.publicKey), null);
    let last: Awaited<ReturnType<typeof TestKiosk.connect>> | undefined;
    for (let i = 0; i < 15; i++) {
      last = await TestKiosk.connect(t.relay.info.kiosk, relayKey(), { identity });
      if (last.ok) {
        last.kiosk.close();
        await last.kiosk.closed;
      }
    }
    expect(last).toEqual({ ok: false, status: 403, code: 'RELAY_BANNED' });
    const again = await TestKiosk.connect(t.relay.info.kiosk, relayKey(), { identity });
    expect(again).toEqual({ ok: false, status: 403, code: 'RELAY_BANNED' });
    await waitUntil(async () =>
      (await t.relay.control.bans.list()).some((b) => b.subject === keyId(identity.publicKey)),
    );
    const lift = await ops(`/api/bans/identity/${keyId(identity.publicKey)}`, { method: 'DELETE' });
    expect(lift.status).toBe(200);
    expect(t.relay.control.bans.isBanned('identity', keyId(identity.publicKey))).toBe(false);
  });
});

describe('kill switch', () => {
  it('stops a municipality (notice + refusal) and resumes it', async () => {
    const k = await enrolledKiosk();
    const res = await ops('/api/stops', {
      method: 'POST',
      body: JSON.stringify({ scope: '131016', reason: 'drill' }),
    });
    expect(res.status).toBe(200);
    await waitUntil(() =>
      k.notices.some((n) => n.code === 'RELAY_ISSUANCE_STOPPED' && n.municipality === '131016'),
    );
    expect((await k.request(t.vrs.box.publicKey, '131016')).reply).toMatchObject({
      type: 'issue.error',
      code: 'RELAY_ISSUANCE_STOPPED',
    });
    expect((await k.request(t.vrs.box.publicKey, '271004')).reply.type).toBe('issue.response');
    expect((await ops('/api/stops/131016', { method: 'DELETE' })).status).toBe(200);
    await waitUntil(() => k.notices.some((n) => n.code === 'RELAY_ISSUANCE_RESUMED'));
    expect((await k.request(t.vrs.box.publicKey, '131016')).reply.type).toBe('issue.response');
    k.close();
  });

  it('stops by itself when a kiosk reports a binding mismatch', async () => {
    const k = await enrolledKiosk();
    const r = await k.request(t.vrs.box.publicKey, '271004');
    k.send({
      v: 1,
      type: 'issue.outcome',
      requestId: r.requestId,
      outcome: 'binding-mismatch',
      code: 'ENVELOPE_BINDING_MISMATCH',
    });
    await waitUntil(() => t.relay.control.stops.isStopped('271004'));
    expect((await k.request(t.vrs.box.publicKey, '271004')).reply).toMatchObject({
      code: 'RELAY_ISSUANCE_STOPPED',
    });
    await t.relay.control.resumeIssuance('271004', 'test');
    k.close();
  });

  it('stops fleet-wide when VRS reports a binding mismatch', async () => {
    t.vrs.alertAll('binding-mismatch');
    await waitUntil(() => t.relay.control.stops.isStopped('fleet'));
    await t.relay.control.resumeIssuance('fleet', 'test');
  });
});

describe('operations API', () => {
  it('requires the bearer token', async () => {
    const res = await t.relay.ops.request('/api/status');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('RELAY_OPS_UNAUTHORIZED');
    const wrong = await t.relay.ops.request('/metrics', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('validates bodies and parameters with coded errors', async () => {
    expect(
      (await ops('/api/stops', { method: 'POST', body: JSON.stringify({ scope: 'tokyo', reason: 'x' }) }))
        .status,
    ).toBe(400);
    expect((await ops('/api/kiosks/not-a-key')).status).toBe(400);
    expect((await ops('/api/stops', { method: 'POST', body: 'not json' })).status).toBe(400);
    expect((await ops('/api/nope')).status).toBe(404);
  });

  it('lists kiosks, alerts, audit, and verifies the chain; metrics are Prometheus text', async () => {
    const k = await enrolledKiosk();
    const kiosks = (await (await ops('/api/kiosks?limit=5000')).json()) as {
      kiosks: Array<{ kioskId: string; online: boolean }>;
    };
    expect(kiosks.kiosks.find((x) => x.kioskId === k.kioskId)?.online).toBe(true);
    const verify = await ops('/api/audit/verify');
    expect(await verify.json()).toMatchObject({ ok: true });
    const exp = await ops('/api/audit/export');
    expect(exp.headers.get('content-type')).toContain('ndjson');
    const m = await (await ops('/metrics')).text();
    expect(m).toMatch(/^relay_sessions \d+$/m);
    expect(m).toMatch(/relay_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
    expect(m).toMatch(/relay_handshakes_total\{result="ok"\} \d+/);
    const status = (await (await ops('/api/status')).json()) as { vrs: Array<{ up: boolean }> };
    expect(status.vrs[0]?.up).toBe(true);
    k.close();
  });

  it('streams alerts over SSE and posts them to the webhook', async () => {
    webhookBodies = [];
    const ac = new AbortController();
    const res = await ops('/api/alerts/stream', { signal: ac.signal });
    const reader = res.body!.getReader();
    const read = async () => new TextDecoder().decode((await reader.read()).value);
    expect(await read()).toContain('event: ready');
    await t.relay.control.raiseAlert({ kind: 'vrs-alert', severity: 'info', detail: { test: true } });
    let text = '';
    while (!text.includes('event: alert')) text += await read();
    expect(text).toContain('"kind":"vrs-alert"');
    ac.abort();
    await waitUntil(() => webhookBodies.some((b) => b.includes('"vrs-alert"')));
  });
});

describe('stopping for a process exit', () => {
  it('stops listening and writes the last health batch, leaving open sessions to the operating system', async () => {
    const tt = await startTestRelay();
    const identity = generateIdentity(nodeCrypto);
    const kioskId = keyId(identity.publicKey);
    await tt.relay.control.kiosks.insert(kioskId, 'exit');
    const c = await TestKiosk.connect(tt.relay.info.kiosk, tt.relay.identity.publicKey, { identity });
    if (!c.ok) throw new Error(`connect refused: ${c.code}`);
    let closedByRelay = false;
    c.kiosk.ws.once('close', () => (closedByRelay = true));
    await c.kiosk.heartbeat(0); // health is held for the next batch (every 10 s)
    const dir = tt.dir;
    await tt.relay.stop({ exiting: true });
    try {
      expect(closedByRelay).toBe(false); // no close frame, no socket closed: the exit does that
      const refused = await new Promise<string>((resolve) => {
        const ws = new WebSocket(tt.relay.info.kiosk);
        ws.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        ws.on('open', () => resolve('open'));
      });
      expect(refused).toBe('ECONNREFUSED');
      const db = await openDb({ dataDir: join(dir, 'db') });
      try {
        const row = await db.query<{ last_health: unknown }>(
          'SELECT last_health FROM relay_kiosks WHERE kiosk_id = $1',
          [kioskId],
        );
        expect(row.rows[0]?.last_health).toEqual(TEST_HEALTH);
      } finally {
        await db.close();
      }
    } finally {
      c.kiosk.close();
      await tt.vrs.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded PGlite on a worker thread (dbThread)', () => {
  it('forwards, audits and verifies its chain as on the event loop', async () => {
    const tt = await startTestRelay({ dbThread: true });
    try {
      const identity = generateIdentity(nodeCrypto);
      await tt.relay.control.kiosks.insert(keyId(identity.publicKey), 'thread');
      const c = await TestKiosk.connect(tt.relay.info.kiosk, tt.relay.identity.publicKey, { identity });
      if (!c.ok) throw new Error(`connect refused: ${c.code}`);
      await c.kiosk.heartbeat(0);
      const r = await c.kiosk.request(tt.vrs.box.publicKey, '131016');
      expect(r.opened).toEqual({ ok: true, answer: { outcome: 'no-record' } });
      const audit = await tt.relay.control.audit.list(0, 100);
      expect(audit.find((a) => a.requestId === r.requestId)).toMatchObject({ kind: 'issue.answered' });
      expect((await tt.relay.control.audit.verify()).ok).toBe(true);
      c.kiosk.close();
    } finally {
      await tt.stop();
    }
  });
});
