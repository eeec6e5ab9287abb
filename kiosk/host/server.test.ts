import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { KioskFlow } from '../core/flow/machine.js';
import { flowConfig } from '../core/flow/config.js';
import { fakePorts } from '../core/flow/testing/fakes.js';
import { memoryLogger } from '../core/flow/testing/drive.js';
import { startHost, type RunningHost } from './server.js';
import { BRIDGE_PROTOCOL } from './bridge-protocol.js';
import { parseBridgeCredential, RefusalLog } from './bridge-auth.js';

const ports = fakePorts();
const flow = new KioskFlow(ports, flowConfig(), memoryLogger([]));
const hostLog: string[] = [];
let host: RunningHost;
let origin: string;

beforeAll(async () => {
  flow.start();
  host = await startHost({ core: flow, log: memoryLogger(hostLog, 'kiosk.host') });
  origin = host.url.replace(/\/$/, '');
});
afterAll(async () => {
  await host.close();
  flow.stop();
});

/** The launch secret of a fresh launch URL. */
const launchSecret = () => new URL(host.launchUrl()).hash.replace(/^#launch=/, '');

/** Opens the bridge as the renderer would (a fresh launch secret unless `protocols` says otherwise). */
function open(
  headers: Record<string, string> = { origin },
  protocols: string[] = [BRIDGE_PROTOCOL, `launch.${launchSecret()}`],
  at = origin,
): Promise<WebSocket> {
  const ws = new WebSocket(`${at.replace('http', 'ws')}/bridge`, protocols, { headers });
  const inbox: Inbox = { queue: [], waiters: [] };
  inboxes.set(ws, inbox);
  // Messages are queued from the start: the host's first message can arrive with the 101.
  ws.on('message', (d) => {
    const msg = JSON.parse(String(d)) as Record<string, unknown>;
    const waiter = inbox.waiters.shift();
    if (waiter) waiter(msg);
    else inbox.queue.push(msg);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error('refused'), { status: res.statusCode })),
    );
    ws.once('error', reject);
  });
}

interface Inbox {
  queue: Record<string, unknown>[];
  waiters: ((m: Record<string, unknown>) => void)[];
}
const inboxes = new WeakMap<WebSocket, Inbox>();

/** The next message the socket received (queued since it was opened). */
function next(ws: WebSocket): Promise<Record<string, unknown>> {
  const inbox = inboxes.get(ws)!;
  const queued = inbox.queue.shift();
  if (queued) return Promise.resolve(queued);
  return new Promise((resolve) => inbox.waiters.push(resolve));
}

describe('the loopback host', () => {
  it('serves the page, the bundled script and a font with a strict CSP', async () => {
    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
    const js = await (await fetch(`${origin}/app.js`)).text();
    expect(js).toContain('createElement');
    expect(js).not.toMatch(/require\(["']node:/);
    const font = await fetch(`${origin}/fonts/files/biz-udgothic-0-400-normal.woff2`);
    expect(font.headers.get('content-type')).toBe('font/woff2');
  });

  it('refuses other paths, methods and font names', async () => {
    expect((await fetch(`${origin}/../package.json`)).status).toBe(404);
    expect((await fetch(`${origin}/fonts/files/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(host.url, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a bridge upgrade from another origin', async () => {
    await expect(open({ origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
    await expect(open({})).rejects.toMatchObject({ status: 403 });
  });

  it('refuses a local process that sends the right Origin and Host but holds no secret, and logs it', async () => {
    hostLog.length = 0;
    const viewsSeen: string[] = [];
    await expect(open({ origin }, [BRIDGE_PROTOCOL])).rejects.toMatchObject({ status: 403 });
    await expect(open({ origin }, [])).rejects.toMatchObject({ status: 403 });
    const guess = 'A'.repeat(43);
    await expect(open({ origin }, [BRIDGE_PROTOCOL, `session.${guess}`])).rejects.toMatchObject({
      status: 403,
    });
    // The renderer is connected; the intruder still gets nothing, and sees no view.
    const renderer = await open();
    renderer.on('message', (d) => viewsSeen.push(String(d)));
    await expect(open({ origin }, [BRIDGE_PROTOCOL, `launch.${guess}`])).rejects.toMatchObject({
      status: 403,
    });
    const refusals = hostLog.filter((l) => l.includes('host.bridge-refused'));
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    expect(refusals.join('\n')).toContain('KIOSK_BRIDGE_REFUSED');
    expect(hostLog.join('\n')).not.toContain(guess);
    renderer.close();
  });

  it('accepts a launch secret once; the renderer reconnects with its session secret; a new launch ends it', async () => {
    const secret = launchSecret();
    const first = await open({ origin }, [BRIDGE_PROTOCOL, `launch.${secret}`]);
    expect(first.protocol).toBe(BRIDGE_PROTOCOL);
    const hello = (await next(first)) as { type: string; key: string };
    expect(hello.type).toBe('session');
    // The same launch URL opened a second time (another tab, a script that read it) is refused.
    await expect(open({ origin }, [BRIDGE_PROTOCOL, `launch.${secret}`])).rejects.toMatchObject({
      status: 403,
    });
    // The page reloads: it reconnects with its session secret, which replaces the old connection.
    const firstClosed = new Promise((resolve) => first.once('close', resolve));
    const again = await open({ origin }, [BRIDGE_PROTOCOL, `session.${hello.key}`]);
    await firstClosed;
    again.send(JSON.stringify({ op: 'state', id: 7 }));
    expect(await next(again)).toMatchObject({ type: 'result', id: 7 });
    // The owner launches a new window: the old session is over, the old window cannot come back.
    const other = await open();
    expect(((await next(other)) as { type: string }).type).toBe('session');
    await expect(open({ origin }, [BRIDGE_PROTOCOL, `session.${hello.key}`])).rejects.toMatchObject({
      status: 403,
    });
    other.close();
    again.close();
  });

  it('answers state and intents, pushes views, refuses malformed messages with a code', async () => {
    const ws = await open();
    expect(await next(ws)).toMatchObject({ type: 'session' });
    ws.send(JSON.stringify({ op: 'state', id: 1 }));
    expect(await next(ws)).toMatchObject({ type: 'result', id: 1, result: { screen: 'attract' } });
    ws.send('not json');
    expect(await next(ws)).toEqual({ type: 'error', code: 'KIOSK_BAD_INTENT' });
    ws.send(JSON.stringify({ op: 'intent', id: 2, intent: { type: 'choose-copies', copies: -1 } }));
    expect(await next(ws)).toEqual({
      type: 'result',
      id: 2,
      result: { ok: false, code: 'KIOSK_BAD_INTENT' },
    });
    const view = next(ws);
    ports.card.place();
    expect(await view).toMatchObject({ type: 'view', view: { screen: 'menu' } });
    const reload = new Promise((resolve) =>
      ws.on('message', (d) => String(d).includes('reload') && resolve(true)),
    );
    ws.send(JSON.stringify({ op: 'intent', id: 3, intent: { type: 'cancel' } }));
    expect(await reload).toBe(true);
    ws.close();
  });

  it('closes a connection sending an oversized message', async () => {
    const ws = await open();
    await next(ws);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(10_000));
    expect(await closed).toBe(1009);
  });
  it('sends views only to the one authenticated renderer', async () => {
    // A fresh flow (the tests above ended a transaction on the shared one).
    const own = fakePorts();
    const ownFlow = new KioskFlow(own, flowConfig(), memoryLogger([]));
    ownFlow.start();
    const ownHost = await startHost({ core: ownFlow, log: memoryLogger([]) });
    const ownOrigin = ownHost.url.replace(/\/$/, '');
    const openOwn = () =>
      open(
        { origin: ownOrigin },
        [BRIDGE_PROTOCOL, `launch.${new URL(ownHost.launchUrl()).hash.slice(8)}`],
        ownOrigin,
      );
    const old = await openOwn();
    await next(old);
    const oldMessages: string[] = [];
    old.on('message', (d) => oldMessages.push(String(d)));
    const oldClosed = new Promise((resolve) => old.once('close', resolve));
    const renderer = await openOwn();
    await next(renderer);
    await oldClosed;
    const view = next(renderer);
    own.card.place();
    expect(await view).toMatchObject({ type: 'view', view: { screen: 'menu' } });
    expect(oldMessages.filter((m) => m.includes('"view"'))).toEqual([]);
    const reload = new Promise((resolve) =>
      renderer.on('message', (d) => String(d).includes('reload') && resolve(true)),
    );
    renderer.send(JSON.stringify({ op: 'intent', id: 1, intent: { type: 'cancel' } }));
    expect(await reload).toBe(true);
    renderer.close();
    await ownHost.close();
    ownFlow.stop();
  });
});

describe('bridge credentials', () => {
  const key = 'b'.repeat(43);
  it('parses exactly the protocol name and one well-formed credential', () => {
    expect(parseBridgeCredential(`${BRIDGE_PROTOCOL}, launch.${key}`)).toEqual({
      kind: 'launch',
      secret: key,
    });
    expect(parseBridgeCredential(`session.${key},${BRIDGE_PROTOCOL}`)).toEqual({
      kind: 'session',
      secret: key,
    });
    for (const bad of [
      undefined,
      42,
      '',
      BRIDGE_PROTOCOL,
      `launch.${key}`,
      `${BRIDGE_PROTOCOL}, launch.${key}, session.${key}`,
      `${BRIDGE_PROTOCOL}, launch.${key}x`,
      `${BRIDGE_PROTOCOL}, launch.${'b'.repeat(42)}`,
      `${BRIDGE_PROTOCOL}, other.${key}`,
      `${BRIDGE_PROTOCOL}, launch.${key.slice(1)}=`,
    ])
      expect(parseBridgeCredential(bad)).toBeNull();
  });

  it('logs refusals at most once per interval per reason, with the count in between', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RefusalLog(memoryLogger(lines), { intervalMs: 1000, now: () => now });
    for (let i = 0; i < 50; i++) log.note('no-credential');
    log.note('origin');
    now = 1500;
    log.note('no-credential');
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ reason: 'no-credential', code: 'KIOSK_BRIDGE_REFUSED' }),
      expect.objectContaining({ reason: 'origin' }),
      expect.objectContaining({ reason: 'no-credential', alsoRefused: 49 }),
    ]);
  });
});
