/**
 * The store's side of the netline harness, run inside the kiosk's network namespace: the hardware
 * simulators (ptys), the kiosk core on them and its relay client, which reaches the relay only over the line.
 *
 * Protocol (JSON lines): prints `{ "sim": { jlisDir } }` once the simulators run; reads
 * `{ "relay": {...} }` (relay-side.ts's line), enrolls over the line and prints `{ "ready": ms }` once the
 * relay session is up. Then every screen change is printed as `{ "view": screen, "code"?, "t" }` and every
 * change of the relay session as `{ "relay": bool, "t" }` (t: ms since the epoch). `{ "cmd": "transaction",
 * "pauseAt": [...] }` runs one resident's transaction through the panel's API (card, PIN, municipality, one
 * domestic copy, coins) and prints `{ "phase": name, "t" }` at each step; at a phase named in `pauseAt` it
 * waits for `{ "cmd": "continue" }` (the test cuts the line there). It ends with `{ "result": {...} }`: the
 * final screen, its code, the yen taken and refunded, whether a certificate printed, each step's duration.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { nodeCrypto } from '../../common/crypto-node.js';
import { createLogger } from '../../common/log.js';
import { loadPanelPage } from '../../hardware-sim/panel/page.js';
import { startSimulator } from '../../hardware-sim/runtime.js';
import { certificatePort } from '../../kiosk/core/devices/index.js';
import { enrollKiosk } from '../../kiosk/core/relay-client/index.js';
import { loadKioskIdentity } from '../../kiosk/main/identity.js';
import { startKioskRelay } from '../../kiosk/main/relay.js';
import { startKioskRuntime } from '../../kiosk/main/runtime.js';
import type { ScreenName, ViewState } from '../../kiosk/shared/view.js';
import { fromBase64Url, type IssuedBody } from '../../protocol/index.js';

const dir = process.env['NETLINE_DIR'];
if (!dir) throw new Error('NETLINE_DIR missing');
const log = createLogger('netline-kiosk', () => undefined);
const print = (m: unknown) => process.stdout.write(JSON.stringify(m) + '\n');
const now = () => Date.now();

const sim = await startSimulator({ stateDir: join(dir, 'sim'), panelPort: 0, page: loadPanelPage });
print({ sim: { jlisDir: join(dir, 'sim', 'jlis') } });

const commands: Record<string, unknown>[] = [];
let wake: (() => void) | null = null;
createInterface({ input: process.stdin })
  .on('line', (l) => {
    commands.push(JSON.parse(l) as Record<string, unknown>);
    wake?.();
  })
  .on('close', () => {
    void stopAll().finally(() => process.exit(0));
  });
async function command(): Promise<Record<string, unknown>> {
  while (commands.length === 0) await new Promise<void>((r) => (wake = r));
  return commands.shift()!;
}

const stops: (() => Promise<void>)[] = [() => sim.stop()];
async function stopAll() {
  for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
}

const relayInfo = (await command())['relay'] as {
  kiosk: string;
  enroll: string;
  relayPublicKey: string;
  vrsBoxPublicKey: string;
  code: string;
};
const identityDir = join(dir, 'kiosk');
mkdirSync(identityDir, { recursive: true });
const identity = loadKioskIdentity(identityDir, nodeCrypto);
const t0 = now();
const enrolled = await enrollKiosk({
  relayEnrollUrl: relayInfo.enroll,
  code: relayInfo.code,
  identity,
  relayPublicKey: relayInfo.relayPublicKey,
  name: 'netline-kiosk',
});
if (!enrolled.ok) throw new Error(`enrollment refused: ${enrolled.code}`);
const relayPublicKey = fromBase64Url(relayInfo.relayPublicKey)!;
const vrsBoxPublicKey = fromBase64Url(relayInfo.vrsBoxPublicKey)!;
const link = startKioskRelay({
  url: relayInfo.kiosk,
  relayPublicKey,
  vrsBoxPublicKey,
  identity,
  crypto: nodeCrypto,
  logger: log.child('relay'),
});
stops.push(() => link.client.stop());
const kiosk = await startKioskRuntime<IssuedBody>(
  {
    devices: {
      reader: sim.info['reader']!,
      printer: sim.info['printer']!,
      pinpad: sim.info['pinpad']!,
      coinAcceptor: sim.info['coinAcceptor']!,
      hopper: sim.info['hopper']!,
    },
    flow: {},
    authMethod: 'jpki',
    printerJobTimeoutMs: 60_000,
  },
  { relay: link.port, certificate: certificatePort, log: log.child('kiosk'), kioskId: link.client.kioskId },
);
stops.push(() => kiosk.stop());
link.setHealth(() => kiosk.health());
const flow = kiosk.flow;

let available = link.client.available();
link.client.onAvailability(() => {
  if (link.client.available() === available) return;
  available = link.client.available();
  print({ relay: available, t: now(), code: link.client.lastError });
});
flow.onView((v) => print({ view: v.screen, t: now(), ...('code' in v ? { code: v.code } : {}) }));
if (!available) await new Promise<void>((r) => link.client.onAvailability(() => available && r()));
print({ ready: now() - t0 });

const panel = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${sim.info['panel']!}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await r.json()) as Record<string, Record<string, unknown>>;
};
const ENDS: ScreenName[] = ['error', 'ended', 'print-failed'];
/** Waits for one of `screens`; an end screen (error, ended…) also resolves. Generous: the line is slow. */
const until = (screens: ScreenName[], timeoutMs = 300_000): Promise<ViewState> =>
  new Promise((resolve, reject) => {
    const want = [...screens, ...ENDS];
    if (want.includes(flow.view.screen)) return resolve(flow.view);
    const t = setTimeout(
      () => reject(new Error(`no ${screens.join('|')} (at ${flow.view.screen})`)),
      timeoutMs,
    );
    const off = flow.onView((v) => {
      if (!want.includes(v.screen)) return;
      clearTimeout(t);
      off();
      resolve(v);
    });
  });

async function transaction(pauseAt: string[]) {
  const steps: Record<string, number> = {};
  let paid = 0;
  let mark = now();
  const phase = async (name: string) => {
    steps[name] = now() - mark;
    mark = now();
    print({ phase: name, t: mark });
    if (pauseAt.includes(name)) {
      const c = await command();
      if (c['cmd'] !== 'continue') throw new Error('continue expected');
      mark = now();
    }
  };
  const finish = async (v: ViewState) => {
    let printed = 0;
    let refunded = 0;
    if (v.screen === 'take-certificate') printed = v.copies;
    if (v.screen === 'print-failed') {
      printed = v.printed;
      refunded = v.refund;
    }
    if (v.screen === 'ended' || v.screen === 'error') refunded = v.refunded;
    const code = 'code' in v ? v.code : null;
    // Ends the transaction the way the resident would, so the kiosk is back on its attract screen.
    if (v.screen === 'print-failed') flow.intent({ type: 'refund' });
    else if (v.screen === 'take-certificate' || v.screen === 'ended' || v.screen === 'error')
      flow.intent({ type: 'done' });
    await until(['attract'], 120_000).catch(() => undefined);
    await panel('DELETE', '/api/card').catch(() => undefined);
    return { screen: v.screen, code, paid, refunded, printed, steps };
  };
  await panel('POST', '/api/card', { resident: 'taro' });
  let v = await until(['menu']);
  if (v.screen !== 'menu') return finish(v);
  flow.intent({ type: 'choose-service', service: 'covid-vaccine-certificate' });
  v = await until(['pin']);
  if (v.screen !== 'pin') return finish(v);
  await panel('POST', '/api/pinpad/keys', { keys: '1234E' });
  v = await until(['remove-card']);
  if (v.screen !== 'remove-card') return finish(v);
  await phase('card-read');
  await panel('DELETE', '/api/card');
  v = await until(['municipality']);
  if (v.screen !== 'municipality') return finish(v);
  await phase('municipalities');
  flow.intent({ type: 'choose-municipality', code: '131016' });
  flow.intent({ type: 'choose-cert-type', certType: 'domestic' });
  await phase('before-query');
  flow.intent({ type: 'choose-copies', copies: 1 });
  v = await until(['preview']);
  await phase('query');
  if (v.screen !== 'preview') return finish(v);
  const fee = v.fee;
  flow.intent({ type: 'confirm' });
  v = await until(['payment']);
  if (v.screen !== 'payment') return finish(v);
  while (!(await panel('GET', '/api/state'))['coin-acceptor']?.['accepting'])
    await new Promise((r) => setTimeout(r, 20)); // polling the simulator's state (no event to wait for)
  await panel('POST', '/api/coins', { yen: 100 });
  await panel('POST', '/api/coins', { yen: 50 });
  paid = fee; // 150 yen in, the fee kept, the change paid out
  v = await until(['printing']);
  await phase('paid');
  if (v.screen !== 'printing') return finish(v);
  v = await until(['take-certificate']);
  await phase('printed');
  return finish(v);
}

/**
 * The first successful relay round trip (a municipality list request) from now: on a session that survived
 * a cut it waits behind TCP's retransmission backoff; on a dropped one, for the reconnection.
 */
async function probe(): Promise<{ t: number; attempts: number; codes: string[] }> {
  const codes: string[] = [];
  for (let attempts = 1; ; attempts++) {
    if (!link.client.available())
      await new Promise<void>((r) => {
        const off = link.client.onAvailability(() => {
          if (!link.client.available()) return;
          off();
          r();
        });
      });
    const r = await link.client.requestMunicipalities();
    if (r.ok) return { t: now(), attempts, codes };
    codes.push(r.code);
  }
}

for (;;) {
  const c = await command();
  if (c['cmd'] === 'probe') print({ probed: await probe() });
  if (c['cmd'] === 'transaction') {
    try {
      print({ result: await transaction((c['pauseAt'] as string[] | undefined) ?? []) });
    } catch (err) {
      print({
        result: { failed: err instanceof Error ? err.message : String(err), screen: flow.view.screen },
      });
    }
  }
}
