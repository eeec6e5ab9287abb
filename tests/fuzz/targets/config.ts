import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { ZodError } from 'zod';
import { parseKioskConfig } from '../../../kiosk/main/config.js';
import { RelayOptions } from '../../../relay/config.js';
import { configFromEnv } from '../../../relay/env-config.js';
import { RelayError } from '../../../relay/errors.js';
import { anyString, mutatedText, nearJsonText } from '../lib/arbitraries.js';
import { expect, target, type FuzzSuite } from '../lib/target.js';

const KEY = 'A'.repeat(43);
const endpoints = [
  { url: 'ws://127.0.0.1:9/vrs', identityPublicKey: KEY, municipalities: ['131016'], name: 'vrs-a' },
];
const ids = { sourceFailuresPerMinute: 20, banMs: 60_000 };
const relayFile = {
  stateDir: '/tmp/relay',
  kioskPort: 0,
  opsToken: 'x'.repeat(20),
  vrsEndpoints: endpoints,
  ids,
  breaker: { failureThreshold: 3 },
};
const kioskConfig = {
  devices: {
    reader: '/dev/ttyUSB0',
    printer: '/dev/ttyUSB1',
    pinpad: 'ws://127.0.0.1:1/pinpad',
    coinAcceptor: '/dev/ttyUSB2',
    hopper: '/dev/ttyUSB3',
  },
  flow: {},
  relay: { url: 'ws://127.0.0.1:2/kiosk', publicKey: KEY },
  vrsBoxPublicKey: KEY,
  identityDir: '/var/lib/kiosk',
};

/** Deep nesting: what a parser that recurses dies of. */
const deep = fc
  .tuple(fc.constantFrom('[', '{"a":', '- ', '  a:\n'), fc.integer({ min: 1, max: 1000 }))
  .map(([open, n]) => open.repeat(n));

interface RelayEnvInput {
  file: string | undefined;
  vrsEndpoints: string | undefined;
  ids: string | undefined;
  port: string | undefined;
}

/**
 * Configuration parsers: the relay's `RELAY_CONFIG` file (YAML or JSON), `RELAY_VRS_ENDPOINTS` and `RELAY_IDS`
 * (JSON in the environment), and the kiosk's `KIOSK_CONFIG` file. A bad configuration must be refused with
 * a code and the field, never crash the process with a stack trace.
 */
export const configSuite: FuzzSuite = {
  name: 'config',
  ids: ['config-relay', 'config-kiosk'],
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-config-'));
    const file = join(dir, 'relay.yaml');
    const text = fc.oneof(
      { weight: 3, arbitrary: nearJsonText(fc.constant<unknown>(relayFile)) },
      { weight: 3, arbitrary: mutatedText(fc.constant(toYaml(relayFile))) },
      { weight: 1, arbitrary: anyString(200) },
      { weight: 1, arbitrary: deep },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
          '!!binary AAAA',
          'stateDir: !!js/function "function(){}"',
          '? [a]\n: b',
          '---\n---\n',
          '%YAML 9.9\n---\na: 1',
          '<<: *nope',
        ),
      },
    );
    return {
      async close() {
        rmSync(dir, { recursive: true, force: true });
      },
      targets: [
        target<RelayEnvInput>({
          id: 'config-relay',
          title:
            'RELAY_CONFIG / RELAY_VRS_ENDPOINTS / RELAY_IDS: options, a ZodError naming fields, or RELAY_CONFIG_INVALID',
          testRuns: 200,
          arb: fc.record({
            file: fc.option(text, { nil: undefined }),
            vrsEndpoints: fc.option(nearJsonText(fc.constant<unknown>(endpoints)), { nil: undefined }),
            ids: fc.option(nearJsonText(fc.constant<unknown>(ids)), { nil: undefined }),
            port: fc.option(fc.oneof(fc.constantFrom('0', '65536', '-1', '1e3', 'x', ' '), anyString(6)), {
              nil: undefined,
            }),
          }),
          check(input) {
            const env: Record<string, string> = { RELAY_OPS_TOKEN: 'y'.repeat(20) };
            if (input.file !== undefined) {
              writeFileSync(file, input.file);
              env['RELAY_CONFIG'] = file;
            }
            if (input.vrsEndpoints !== undefined) env['RELAY_VRS_ENDPOINTS'] = input.vrsEndpoints;
            if (input.ids !== undefined) env['RELAY_IDS'] = input.ids;
            if (input.port !== undefined) env['RELAY_KIOSK_PORT'] = input.port;
            let raw: unknown;
            try {
              raw = configFromEnv(env);
            } catch (err) {
              expect(
                err instanceof RelayError && err.code === 'RELAY_CONFIG_INVALID',
                `configFromEnv threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
              );
              return;
            }
            let r;
            try {
              r = RelayOptions.safeParse(raw);
            } catch (err) {
              throw new Error(`RelayOptions.safeParse threw ${String(err)}`);
            }
            if (!r.success) {
              expect(r.error instanceof ZodError && r.error.issues.length > 0, 'a refusal without issues');
              // relay/main.ts prints these paths: each must be printable.
              for (const i of r.error.issues) void i.path.map(String).join('.');
            } else {
              expect(r.data.opsToken === undefined || r.data.opsToken.length >= 16, 'short token accepted');
              for (const e of r.data.vrsEndpoints)
                expect(/^[A-Za-z0-9_-]{43}$/.test(e.identityPublicKey), 'bad endpoint key accepted');
            }
          },
        }),
        target<string>({
          id: 'config-kiosk',
          title: 'KIOSK_CONFIG file: a configuration or KIOSK_CONFIG_INVALID naming fields, never a throw',
          testRuns: 1000,
          arb: fc.oneof(
            { weight: 6, arbitrary: nearJsonText(fc.constant<unknown>(kioskConfig)) },
            { weight: 1, arbitrary: deep },
            { weight: 1, arbitrary: anyString(100) },
          ),
          check(text) {
            const r = parseKioskConfig(text);
            if (r.ok) {
              expect(/^wss?:\/\//.test(r.config.relay.url), 'relay url off the schema');
              expect(/^[A-Za-z0-9_-]{43}$/.test(r.config.relay.publicKey), 'relay key off the schema');
            } else {
              expect(r.code === 'KIOSK_CONFIG_INVALID', `code ${String(r.code)}`);
              expect(
                !r.message.includes(text.slice(0, 40)) || text.length < 8,
                'the message repeats the file',
              );
            }
          },
        }),
      ],
    };
  },
};
