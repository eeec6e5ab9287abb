import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { startSimulator, type RunningSimulator } from '../runtime.js';
import { loadPanelPage } from './page.js';
import { PjlPrinter } from '../../kiosk/drivers/printer/pjl-printer.js';
import { SerialPortTransport } from '../../kiosk/drivers/transports/serial.js';
import { makeTestPdf } from '../printer/test-pdf.js';
import { loadScenario, runScenario } from '../scenarios/runner.js';
import { request } from 'node:http';
import { Hono } from 'hono';
import { startPanel } from './server.js';
import { guardPanelRequest, panelHostNames } from './guard.js';
import { startKioskRuntime } from '../../kiosk/main/runtime.js';
import { testPanelsRunning } from '../../common/test-panel.js';
import { createLogger } from '../../common/log.js';

/** A raw HTTP request (fetch cannot set Host). */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('control panel API and scenarios (the whole simulator, over HTTP on loopback)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'panel-'));
  let sim: RunningSimulator;
  let url = '';
  const post = (path: string, body?: unknown) =>
    fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    sim = await startSimulator({ stateDir: dir, page: loadPanelPage });
    url = sim.info['panel']!;
  });
  afterAll(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
    expect(testPanelsRunning()).toBe(0);
  });

  it('prints the device paths and the PIN pad bridge URL in the JSON line', () => {
    expect(sim.info['printer']).toMatch(/printer$/);
    expect(sim.info['coinAcceptor']).toMatch(/coin-acceptor$/);
    expect(sim.info['hopper']).toMatch(/hopper$/);
    expect(sim.info['pinpad']).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/pinpad\?token=[0-9a-f]{32}$/);
  });

  it('lists residents with their test PIN but never a My Number or a name', async () => {
    const list = (await (await fetch(url + '/api/residents')).json()) as Record<string, unknown>[];
    expect(list.length).toBeGreaterThan(0);
    for (const r of list) expect(Object.keys(r).sort()).toEqual(['id', 'label', 'notes', 'pin']);
    expect(JSON.stringify(list)).not.toMatch(/\d{12}/);
  });

  it('answers bad bodies with coded 400s and unknown jobs with 404', async () => {
    const codes = async (r: Response) => [
      r.status,
      ((await r.json()) as { error: { code: string } }).error.code,
    ];
    expect(await codes(await post('/api/printer/fault', { kind: 'fire' }))).toEqual([400, 'SIM_BAD_REQUEST']);
    expect(await codes(await post('/api/printer/fault', '{not json'))).toEqual([400, 'SIM_BAD_REQUEST']);
    for (const sheets of [-1, 1.5, 10_001, '3'])
      expect(await codes(await post('/api/printer/paper', { sheets }))).toEqual([400, 'SIM_BAD_REQUEST']);
    expect(await codes(await post('/api/pinpad/keys', { keys: '12a' }))).toEqual([400, 'SIM_BAD_REQUEST']);
    expect(await codes(await post('/api/coins', { yen: -5 }))).toEqual([400, 'SIM_BAD_REQUEST']);
    expect(await codes(await post('/api/hopper', {}))).toEqual([400, 'SIM_BAD_REQUEST']);
    expect(await codes(await fetch(url + '/api/printer/jobs/999/pdf'))).toEqual([404, 'SIM_NOT_FOUND']);
    expect(await codes(await fetch(url + '/api/printer/jobs/x/pages/1.png'))).toEqual([404, 'SIM_NOT_FOUND']);
  });

  it('serves a printed job: its PDF and one PNG per page; DELETE clears finished jobs', async () => {
    const printer = new PjlPrinter({
      connect: () => new SerialPortTransport({ path: sim.info['printer']!, baudRate: 115200 }),
    });
    await printer.start();
    await printer.waitForState((s) => s === 'ready', 5000);
    const pdf = await makeTestPdf(2);
    expect(await printer.print(pdf, { jobName: 'panel-1', expectedPages: 2 })).toEqual({
      ok: true,
      pages: 2,
    });
    await printer.stop();
    const jobs = (await (await fetch(url + '/api/printer/jobs')).json()) as {
      id: number;
      status: string;
      pages: number;
      pdf: string;
      pageImages: string[];
    }[];
    const job = jobs.at(-1)!;
    expect(job).toMatchObject({ status: 'printed', pages: 2 });
    expect(job.pageImages).toHaveLength(2);
    const gotPdf = new Uint8Array(await (await fetch(url + job.pdf)).arrayBuffer());
    expect(gotPdf).toEqual(pdf);
    const png = await fetch(url + job.pageImages[1]!);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(PNG.sync.read(Buffer.from(await png.arrayBuffer())).width).toBeGreaterThan(0);
    const del = { method: 'DELETE', headers: { 'content-type': 'application/json' } };
    expect((await fetch(url + '/api/printer/jobs', del)).status).toBe(200);
    expect(await (await fetch(url + '/api/printer/jobs')).json()).toEqual([]);
  });

  it('refuses changes that are not JSON (a web page can post text/plain or a form without asking)', async () => {
    const before = ((await (await fetch(url + '/api/state')).json()) as { printer: unknown }).printer;
    const code = async (r: Response) => [
      r.status,
      ((await r.json()) as { error: { code: string } }).error.code,
    ];
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])
      expect(
        await code(
          await fetch(url + '/api/printer/fault', {
            method: 'POST',
            headers: { 'content-type': type },
            body: JSON.stringify({ kind: 'jam' }),
          }),
        ),
      ).toEqual([415, 'SIM_UNSUPPORTED_MEDIA_TYPE']);
    // No body and no type (a bodiless "simple" POST) is refused as well.
    expect(await code(await fetch(url + '/api/printer/unplug', { method: 'POST' }))).toEqual([
      415,
      'SIM_UNSUPPORTED_MEDIA_TYPE',
    ]);
    expect(await code(await fetch(url + '/api/printer/jobs', { method: 'DELETE' }))).toEqual([
      415,
      'SIM_UNSUPPORTED_MEDIA_TYPE',
    ]);
    const after = ((await (await fetch(url + '/api/state')).json()) as { printer: unknown }).printer;
    expect(after).toEqual(before);
  });

  it('checks Host (DNS rebinding) and Origin (other pages), for reads and changes alike', async () => {
    const port = new URL(url).port;
    const residents = url + '/api/residents';
    expect((await raw(residents, 'GET', { host: `evil.example:${port}` })).status).toBe(421);
    expect(
      (await raw(url + '/api/printer/jobs/1/pdf', 'GET', { host: `rebind.example:${port}` })).status,
    ).toBe(421);
    expect((await raw(residents, 'GET', { host: `127.0.0.1:${port}` })).status).toBe(200);
    expect((await raw(residents, 'GET', { host: `localhost:${port}` })).status).toBe(200);
    const json = { 'content-type': 'application/json' };
    expect(
      (
        await raw(
          url + '/api/printer/fault',
          'POST',
          { ...json, origin: 'http://evil.example' },
          '{"kind":"jam"}',
        )
      ).status,
    ).toBe(403);
    expect((await raw(residents, 'GET', { origin: 'null' })).status).toBe(403);
    expect((await raw(residents, 'GET', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(
      (await raw(url + '/api/printer/fault', 'POST', { ...json, origin: url }, '{"kind":"clear"}')).status,
    ).toBe(200);
  });

  it('listens on loopback only', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.1', 'localhost.evil'])
      await expect(startPanel(new Hono(), { host })).rejects.toMatchObject({
        code: 'SIM_PANEL_NOT_LOOPBACK',
      });
    const v6 = await startPanel(new Hono(), { host: '::1' }).catch(() => null);
    if (v6) {
      expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      await v6.close();
    }
  });

  it('makes a kiosk in the same process refuse real devices while it runs', async () => {
    expect(testPanelsRunning()).toBeGreaterThan(0);
    const devices = {
      reader: '/dev/ttyUSB0',
      printer: sim.info['printer']!,
      pinpad: sim.info['pinpad']!,
      coinAcceptor: sim.info['coinAcceptor']!,
      hopper: '/dev/ttyUSB1',
    };
    const never = () => {
      throw new Error('not reached');
    };
    await expect(
      startKioskRuntime(
        { devices },
        {
          relay: never as never,
          certificate: never as never,
          log: createLogger('kiosk', () => undefined),
        },
      ),
    ).rejects.toMatchObject({ code: 'KIOSK_PANEL_WITH_REAL_DEVICES' });
  });

  it('runs the shipped device scenarios', async () => {
    const lines: string[] = [];
    for (const f of ['devices-smoke.yaml', 'printer-faults.yaml'])
      await runScenario(loadScenario(join(import.meta.dirname, '../scenarios', f)), url, (l) =>
        lines.push(l),
      );
    expect(lines.filter((l) => l.trim() === 'ok')).toHaveLength(2);
  });

  it('reports invalid scenarios and failed expectations with codes', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: x\nsteps:\n  - explode: true\n');
    expect(() => loadScenario(bad)).toThrow(expect.objectContaining({ code: 'SCENARIO_INVALID' }));
    await expect(
      runScenario({ name: 'x', steps: [{ expect: { printerCondition: 'jam' } }] }, url),
    ).rejects.toMatchObject({ code: 'SCENARIO_EXPECTATION_FAILED', step: 1 });
    await expect(
      runScenario({ name: 'x', steps: [{ card: { resident: 'nobody' } }] }, url),
    ).rejects.toMatchObject({
      code: 'SCENARIO_STEP_FAILED',
    });
  });
});

describe('panel request guard (pure)', () => {
  const names = panelHostNames('127.0.0.1', 4000);
  const head = (method: string, headers: Record<string, string>) => ({
    method,
    header: (n: string) => headers[n] ?? null,
  });
  it('passes the panel page and scripts, refuses the rest with a code', () => {
    expect(guardPanelRequest(head('GET', { host: '127.0.0.1:4000' }), names)).toEqual({ ok: true });
    expect(
      guardPanelRequest(
        head('POST', {
          host: 'localhost:4000',
          origin: 'http://localhost:4000',
          'content-type': 'application/json; charset=utf-8',
        }),
        names,
      ),
    ).toEqual({ ok: true });
    expect(guardPanelRequest(head('GET', {}), names)).toMatchObject({ code: 'SIM_MISDIRECTED' });
    expect(guardPanelRequest(head('GET', { host: '127.0.0.1:4001' }), names)).toMatchObject({
      code: 'SIM_MISDIRECTED',
    });
    expect(
      guardPanelRequest(head('GET', { host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000.evil' }), names),
    ).toMatchObject({ code: 'SIM_FORBIDDEN_ORIGIN' });
    expect(
      guardPanelRequest(head('PUT', { host: '127.0.0.1:4000', 'content-type': 'application/jsonx' }), names),
    ).toMatchObject({ code: 'SIM_UNSUPPORTED_MEDIA_TYPE' });
  });
});
