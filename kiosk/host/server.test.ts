import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { KioskFlow } from '../core/flow/machine.js';
import { flowConfig } from '../core/flow/config.js';
import { fakePorts } from '../core/flow/testing/fakes.js';
import { memoryLogger } from '../core/flow/testing/drive.js';
import { startHost, type RunningHost } from './server.js';

const ports = fakePorts();
const flow = new KioskFlow(ports, flowConfig(), memoryLogger([]));
let host: RunningHost;
let origin: string;

beforeAll(async () => {
  flow.start();
  host = await startHost({ core: flow, log: memoryLogger([]) });
  origin = host.url.replace(/\/$/, '');
});
afterAll(async () => {
  await host.close();
  flow.stop();
});

function open(headers: Record<string, string> = { origin }): Promise<WebSocket> {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/bridge`, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error('refused'), { status: res.statusCode })),
    );
    ws.once('error', reject);
  });
}

function next(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) =>
    ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>)),
  );
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

  it('answers state and intents, pushes views, refuses malformed messages with a code', async () => {
    const ws = await open();
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
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(10_000));
    expect(await closed).toBe(1009);
  });
});
