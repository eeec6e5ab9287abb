import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { guardPanelRequest, panelHostNames } from '../../../hardware-sim/panel/guard.js';
import { createPanelApp } from '../../../hardware-sim/panel/server.js';
import { PinPadDevice } from '../../../hardware-sim/pinpad/device.js';
import { startSimulator } from '../../../hardware-sim/runtime.js';
import { anyString, nearJsonText } from '../lib/arbitraries.js';
import { expect, target, type FuzzSuite } from '../lib/target.js';

const ROUTES: { route: string; seeds: unknown[] }[] = [
  { route: 'POST /api/coins', seeds: [{ yen: 10 }, { yen: 100 }] },
  { route: 'POST /api/coin-acceptor/fault', seeds: [{ fault: 'jam' }, { fault: 'clear' }] },
  { route: 'POST /api/hopper', seeds: [{ coins: 50 }, { fault: 'empty' }, { fault: 'clear' }] },
  { route: 'POST /api/printer/fault', seeds: [{ kind: 'paper-out' }, { kind: 'clear' }] },
  { route: 'POST /api/card', seeds: [{ resident: 'taro' }, { resident: 'hanako', mode: 'garble' }] },
  { route: 'POST /api/card/pin-tries', seeds: [{ remaining: 3 }, { remaining: 0 }] },
  { route: 'POST /api/pinpad/keys', seeds: [{ keys: '1234E' }] },
  { route: 'DELETE /api/card', seeds: [{}] },
  { route: 'DELETE /api/printer/jobs', seeds: [{}] },
  { route: 'GET /api/state', seeds: [{}] },
  { route: 'GET /api/events', seeds: [{}] },
  { route: 'GET /api/residents', seeds: [{}] },
  { route: 'GET /api/printer/jobs', seeds: [{}] },
];

const segment = fc.oneof(
  anyString(30).map((s) => Buffer.from(s, 'utf8').toString('hex').replace(/(..)/g, '%$1')),
  fc.constantFrom('0', '1', '999999999', '1.png', '0.png', '99999.png', '%00', '..', '%2e%2e', '-1', 'x'),
);

interface PanelInput {
  route: string;
  body: string | undefined;
  host: 'good' | string;
  origin: 'good' | 'none' | string;
  contentType: string;
}

/**
 * The testers' control panel (hardware-sim): its request guard (Host, Origin, content type) and every route's
 * body and path parameters, on the real simulated devices, in process through `app.fetch`. Property: never a
 * 500; every refusal is JSON `{ error: { code, message } }` with a SIM_* or documented code.
 */
export const panelSuite: FuzzSuite = {
  name: 'panel',
  ids: ['panel-api'],
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-panel-'));
    const sim = await startSimulator({ stateDir: dir });
    // Typing keys takes real time per key: with the PIN pad unplugged, key bodies are parsed and refused fast.
    const pinpad = sim.devices.find((d): d is PinPadDevice => d instanceof PinPadDevice);
    pinpad?.keypad.unplug();
    const app = createPanelApp({ devices: sim.devices, events: sim.events });
    const hostNames = panelHostNames('127.0.0.1', 9);
    const guarded = async (req: Request): Promise<Response> => {
      const v = guardPanelRequest({ method: req.method, header: (n) => req.headers.get(n) }, hostNames);
      if (!v.ok) return Response.json({ error: { code: v.code, message: 'refused' } }, { status: v.status });
      return app.fetch(req);
    };
    const route = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...ROUTES) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(segment, segment)
          .map(([a, b]) => ({ route: `GET /api/printer/jobs/${a}/pages/${b}`, seeds: [{}] as unknown[] })),
      },
      {
        weight: 1,
        arbitrary: segment.map((a) => ({
          route: `GET /api/printer/jobs/${a}/pdf`,
          seeds: [{}] as unknown[],
        })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), segment)
          .map(([m, a]) => ({ route: `${m} /api/${a}`, seeds: [{}] as unknown[] })),
      },
    );
    const input: fc.Arbitrary<PanelInput> = route.chain((r) =>
      fc.record({
        route: fc.constant(r.route),
        body: fc.option(nearJsonText(fc.constantFrom(...r.seeds)), { nil: undefined, freq: 6 }),
        host: fc.oneof(
          { weight: 8, arbitrary: fc.constant('good') },
          { weight: 1, arbitrary: fc.constantFrom('evil.example', 'LOCALHOST:9', '127.0.0.1', '') },
        ),
        origin: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('none', 'good') },
          { weight: 1, arbitrary: fc.constantFrom('null', 'http://evil.example', 'http://127.0.0.1:9/') },
        ),
        contentType: fc.oneof(
          { weight: 8, arbitrary: fc.constant('application/json') },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              'text/plain',
              'application/json; charset=utf-8',
              'APPLICATION/JSON',
              '',
            ),
          },
        ),
      }),
    );
    return {
      async close() {
        await sim.stop();
        rmSync(dir, { recursive: true, force: true });
      },
      targets: [
        target<PanelInput>({
          id: 'panel-api',
          title: 'panel requests: guard then route; never a 500; every refusal JSON { error: { code } }',
          testRuns: 400,
          arb: input,
          async check(i) {
            const [method, path] = i.route.split(' ') as [string, string];
            const headers: Record<string, string> = {
              host: i.host === 'good' ? hostNames[0]! : i.host,
              'content-type': i.contentType,
            };
            if (i.origin === 'good') headers['origin'] = `http://${hostNames[0]!}`;
            else if (i.origin !== 'none') headers['origin'] = i.origin;
            const hasBody = method !== 'GET' && i.body !== undefined;
            const res = await guarded(
              new Request(`http://${hostNames[0]!}${path}`, {
                method,
                headers,
                ...(hasBody ? { body: i.body } : {}),
              }),
            );
            const text = await res.text();
            expect(res.status !== 500, `${i.route}: 500 ${text.slice(0, 200)}`);
            expect(res.status < 500 || res.status === 503, `${i.route}: ${res.status}`);
            if (res.status >= 400) {
              let body: { error?: { code?: unknown } };
              try {
                body = JSON.parse(text) as typeof body;
              } catch {
                throw new Error(`${i.route}: ${res.status} not JSON: ${text.slice(0, 100)}`);
              }
              const code = body.error?.code;
              expect(
                typeof code === 'string' && /^[A-Z][A-Z0-9_]{2,63}$/.test(code),
                `${i.route}: code ${String(code)}`,
              );
            }
          },
        }),
      ],
    };
  },
};
