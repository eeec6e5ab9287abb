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
    expect((await fetch(url + '/api/printer/jobs', { method: 'DELETE' })).status).toBe(200);
    expect(await (await fetch(url + '/api/printer/jobs')).json()).toEqual([]);
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
