import fc from 'fast-check';
import WebSocket from 'ws';
import { createLogger } from '../../../common/log.js';
import { harness, type Harness } from '../../../kiosk/core/flow/testing/drive.js';
import { settle, TEST_PIN } from '../../../kiosk/core/flow/testing/fakes.js';
import { BridgeAuth, parseBridgeCredential } from '../../../kiosk/host/bridge-auth.js';
import {
  BRIDGE_LAUNCH_FRAGMENT,
  BRIDGE_MAX_PAYLOAD,
  BRIDGE_PROTOCOL,
} from '../../../kiosk/host/bridge-protocol.js';
import { startHost } from '../../../kiosk/host/server.js';
import { anyJson, anyString, mutatedJson, mutatedText, nearJsonText } from '../lib/arbitraries.js';
import { expect, target, type FuzzSuite } from '../lib/target.js';

const VALID_INTENTS: unknown[] = [
  { type: 'start' },
  { type: 'choose-service', service: 'covid-vaccine-certificate' },
  { type: 'choose-municipality', code: '131016' },
  { type: 'choose-cert-type', certType: 'domestic' },
  { type: 'choose-cert-type', certType: 'overseas' },
  { type: 'choose-copies', copies: 1 },
  { type: 'choose-copies', copies: 3 },
  { type: 'confirm' },
  { type: 'cancel' },
  { type: 'retry-print' },
  { type: 'refund' },
  { type: 'done' },
  { type: 'activity' },
];
const INTENT_CODES = new Set(['KIOSK_BAD_INTENT', 'KIOSK_INTENT_NOT_NOW']);

/** One step of a session at the kiosk: an intent from the renderer, or what the devices do meanwhile. */
type Step = { intent: unknown } | { device: 'card-on' | 'card-off' | 'pin' | 'coin' | 'time' };

const intentValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VALID_INTENTS) },
  { weight: 4, arbitrary: mutatedJson(fc.constantFrom(...VALID_INTENTS)) },
  { weight: 1, arbitrary: anyJson() },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: intentValue.map((intent) => ({ intent })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('card-on', 'card-off', 'pin', 'coin', 'time' as const)
      .map((device) => ({ device: device as 'card-on' })),
  },
);

async function device(h: Harness, d: Exclude<Step, { intent: unknown }>['device']): Promise<void> {
  switch (d) {
    case 'card-on':
      h.ports.card.place();
      break;
    case 'card-off':
      h.ports.card.remove();
      break;
    case 'pin':
      h.ports.pinpad.type(TEST_PIN);
      h.ports.pinpad.press('enter');
      break;
    case 'coin':
      h.ports.coin.insert(h.config.feePerCopy);
      break;
    case 'time':
      await h.ports.clock.advance(30_000);
      break;
  }
  await settle();
}

/**
 * The kiosk's boundary with its renderer: intents (parsed from `unknown` in the main process) driving a real
 * flow over device fakes, the loopback bridge's messages over a real WebSocket, and the bridge's credential
 * header. A bad or stale request is refused with a code; nothing a renderer sends throws in the main process.
 */
export const kioskSuite: FuzzSuite = {
  name: 'kiosk',
  ids: ['kiosk-intents', 'kiosk-bridge', 'kiosk-bridge-credential'],
  async open() {
    // The bridge: one host over one flow, one authenticated renderer connection for the whole run.
    const h = harness();
    const host = await startHost({ core: h.flow, log: createLogger('fuzz', () => undefined) });
    const origin = host.url.replace(/\/$/, '');
    const secret = new URL(host.launchUrl()).hash.slice(`#${BRIDGE_LAUNCH_FRAGMENT}=`.length);
    let ws: WebSocket | undefined;
    let nextId = 0;
    // One message at a time: every result or error answers the one waiting.
    let waiter: ((m: Record<string, unknown>) => void) | undefined;
    const connect = async (credential: string) => {
      const w = new WebSocket(`${origin.replace('http', 'ws')}/bridge`, [BRIDGE_PROTOCOL, credential], {
        headers: { origin },
      });
      await new Promise<void>((resolve, reject) => {
        w.once('open', () => resolve());
        w.once('error', reject);
        w.once('unexpected-response', (_q, r) => reject(new Error(`bridge refused: ${r.statusCode}`)));
      });
      w.on('message', (data) => {
        const m = JSON.parse(String(data)) as Record<string, unknown>;
        if (m['type'] === 'result' || m['type'] === 'error') {
          const w = waiter;
          waiter = undefined;
          w?.(m);
        } else if (m['type'] === 'session') session = String(m['key']);
      });
      return w;
    };
    let session = '';
    ws = await connect(`launch.${secret}`);
    const validMessages = [
      ...VALID_INTENTS.map((intent) => ({ op: 'intent', id: 1, intent })),
      { op: 'state', id: 2 },
    ];

    return {
      async close() {
        ws?.terminate();
        await host.close();
      },
      targets: [
        target<Step[]>({
          id: 'kiosk-intents',
          title: 'intents on a real flow: ok, KIOSK_BAD_INTENT or KIOSK_INTENT_NOT_NOW, never a throw',
          testRuns: 300,
          arb: fc.array(step, { minLength: 1, maxLength: 12 }),
          async check(steps) {
            const k = harness();
            for (const s of steps) {
              if ('device' in s) {
                await device(k, s.device);
                continue;
              }
              const r = k.flow.intent(s.intent);
              expect(
                r.ok === true || (r.ok === false && INTENT_CODES.has(r.code)),
                `intent ${JSON.stringify(s.intent)?.slice(0, 80)}: ${JSON.stringify(r)}`,
              );
              await settle();
              expect(typeof k.flow.view.screen === 'string', 'no screen');
            }
            k.flow.intent({ type: 'cancel' });
            await settle();
          },
        }),
        target<string>({
          id: 'kiosk-bridge',
          title: 'bridge messages over the authenticated WebSocket: one result or KIOSK_BAD_INTENT each',
          testRuns: 400,
          arb: fc.oneof(
            nearJsonText(fc.constantFrom<unknown>(...validMessages)),
            mutatedText(fc.constantFrom(...validMessages).map((m) => JSON.stringify(m))),
            anyString(200),
          ),
          async check(text) {
            if (Buffer.byteLength(text) > BRIDGE_MAX_PAYLOAD) return; // the ws layer closes with 1009
            // A message carrying a fresh id gets that id back; anything else gets one error.
            let sent = text;
            let id: number | undefined;
            try {
              const v = JSON.parse(text) as Record<string, unknown>;
              if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v['id'] === 'number') {
                id = 1_000_000 + nextId++;
                sent = JSON.stringify({ ...v, id });
              }
            } catch {
              /* not JSON: sent as is */
            }
            if (ws === undefined || ws.readyState !== ws.OPEN) ws = await connect(`session.${session}`);
            expect(waiter === undefined, 'an answer is still outstanding');
            const reply = new Promise<Record<string, unknown>>((resolve) => (waiter = resolve));
            ws.send(sent);
            const m = await reply;
            if (m['type'] === 'result') {
              expect(
                id !== undefined && m['id'] === id,
                `a result for id ${String(m['id'])}, sent ${String(id)}`,
              );
              const r = m['result'] as Record<string, unknown> | null;
              expect(r !== null && typeof r === 'object', 'result is not an object');
            } else expect(m['type'] === 'error' && m['code'] === 'KIOSK_BAD_INTENT', JSON.stringify(m));
          },
        }),
        target<string>({
          id: 'kiosk-bridge-credential',
          title: 'Sec-WebSocket-Protocol credential: parsed or null, never a throw; no guessed secret passes',
          testRuns: 2000,
          arb: fc.oneof(
            anyString(300),
            mutatedText(fc.constant(`${BRIDGE_PROTOCOL}, launch.${'A'.repeat(43)}`)),
            fc
              .tuple(
                fc.constantFrom('launch.', 'session.', ''),
                fc.uint8Array({ minLength: 0, maxLength: 40 }),
              )
              .map(([p, b]) => `${BRIDGE_PROTOCOL}, ${p}${Buffer.from(b).toString('base64url')}`),
          ),
          check(header) {
            const c = parseBridgeCredential(header);
            if (c === null) return;
            expect(c.kind === 'launch' || c.kind === 'session', 'bad kind');
            const auth = new BridgeAuth();
            auth.mintLaunch();
            expect(!auth.check(c).ok, 'a guessed secret was accepted');
          },
        }),
      ],
    };
  },
};
