/**
 * Transaction benchmark: the time of each step a resident waits on in one transaction, through the whole
 * system on loopback (simulated devices on ptys, relay, VRS stand-in), excluding the resident's own input:
 *   card read              card placed → menu (the reader's poll finds it, the card is selected)
 *   PIN → authenticated    PIN pad Enter → "remove your card" (HID report, VERIFY, JPKI signature / EFs)
 *   municipalities         card lifted → municipality list (removal poll + relay round trip)
 *   certificate fetched    copies chosen → preview (sealed request → relay → VRS → sealed answer opened)
 *   certificate PDF        rendering the issued answer to PDF (in memory; part of the next step too)
 *   coin → payment done    the last coin (500 yen for 2 copies) → the kiosk stops taking money
 *   change paid            → 260 yen paid from the 100/50/10 hoppers (ccTalk payouts)
 *   paid → printing        change paid → the printer starts receiving copy 1 (PDF rendered, PJL job sent)
 *   copy printed (each)    job received → the printer's job-end (PJL transfer, poppler, one page)
 *   last copy → take       the last job-end → the take-certificate screen
 * Each with its ratio to a floor measured in the same run: a bare loopback HTTP round trip to the
 * simulator's panel (what the machine does per request under the current load); a copy also against the
 * simulator's page time (its mechanics, 300 ms a page). Also the process's memory after the runs (kiosk
 * core, relay, VRS and simulators share this one process, an upper bound for the kiosk's main process).
 * Run: nice -n 5 npm run bench -- transaction   (BENCH_RUNS, default 5; every run pays and prints 2 copies)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../common/log.js';
import { certificatePort } from '../../kiosk/core/devices/index.js';
import type { ScreenName, ViewState } from '../../kiosk/shared/view.js';
import { startSystem } from '../../scripts/system.js';
import { machineLine } from '../run-programs.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};
const fmt = (xs: number[]) =>
  `median ${quantile(xs, 0.5).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

console.log(machineLine());
const dir = mkdtempSync(join(tmpdir(), 'bench-transaction-'));
const sys = await startSystem({
  stateDir: dir,
  printerJobTimeoutMs: 20_000,
  log: createLogger('bench', () => undefined),
});
const flow = sys.kiosk.flow;
const panel = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${sys.urls.panel}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await r.json()) as Record<string, Record<string, unknown>>;
};
const until = (screens: ScreenName[], timeoutMs = 60_000): Promise<{ v: ViewState; at: number }> =>
  new Promise((resolve, reject) => {
    if (screens.includes(flow.view.screen)) return resolve({ v: flow.view, at: performance.now() });
    const t = setTimeout(
      () => reject(new Error(`no ${screens.join('|')} (at ${flow.view.screen})`)),
      timeoutMs,
    );
    const off = flow.onView((v) => {
      if (!screens.includes(v.screen)) return;
      clearTimeout(t);
      off();
      resolve({ v, at: performance.now() });
    });
  });

const STEPS = [
  'card read',
  'PIN → authenticated',
  'municipalities',
  'certificate fetched',
  'certificate PDF',
  'coin → payment done',
  'change paid',
  'paid → printing',
  'copy printed (each)',
  'last copy → take',
] as const;
const times: Record<(typeof STEPS)[number] | 'floor', number[]> = {
  ...(Object.fromEntries(STEPS.map((k) => [k, []])) as unknown as Record<(typeof STEPS)[number], number[]>),
  floor: [],
};
/** The floor: a bare loopback HTTP round trip to the panel, taken between steps so it sees the same load. */
async function floor(n = 5): Promise<void> {
  for (let k = 0; k < n; k++) {
    const t = performance.now();
    await fetch(`${sys.urls.panel}/api/state`).then((r) => r.arrayBuffer());
    times.floor.push(performance.now() - t);
  }
}
/** Printer events (sim side) as they happen: job received / printed, with their time. */
const printerEvents: { event: string; at: number }[] = [];
sys.sim.events.subscribe((e) => {
  if (e.device === 'printer') printerEvents.push({ event: e.event, at: performance.now() });
});
const printerEvent = async (event: string, after: number): Promise<number> => {
  const deadline = performance.now() + 240_000;
  for (;;) {
    const hit = printerEvents.find((e) => e.event === event && e.at >= after);
    if (hit) return hit.at;
    if (performance.now() > deadline) throw new Error(`no printer ${event}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
const COPIES = 2;
let printed = 0;
const heapBefore = process.memoryUsage();
for (let i = 0; i < RUNS; i++) {
  await floor();
  let t0 = performance.now();
  await panel('POST', '/api/card', { resident: 'taro' });
  times['card read'].push((await until(['menu'])).at - t0);
  flow.intent({ type: 'choose-service', service: 'covid-vaccine-certificate' });
  await until(['pin']);
  await panel('POST', '/api/pinpad/keys', { keys: '1234' });
  t0 = performance.now();
  await panel('POST', '/api/pinpad/keys', { keys: 'E' });
  times['PIN → authenticated'].push((await until(['remove-card'])).at - t0);
  t0 = performance.now();
  await panel('DELETE', '/api/card');
  times['municipalities'].push((await until(['municipality'])).at - t0);
  flow.intent({ type: 'choose-municipality', code: '131016' });
  flow.intent({ type: 'choose-cert-type', certType: 'domestic' });
  t0 = performance.now();
  flow.intent({ type: 'choose-copies', copies: COPIES });
  times['certificate fetched'].push((await until(['preview'])).at - t0);
  const cert = flow.transaction?.certificate;
  if (cert) {
    t0 = performance.now();
    await certificatePort.render(cert, 'domestic');
    times['certificate PDF'].push(performance.now() - t0);
  }
  await floor();
  flow.intent({ type: 'confirm' });
  await until(['payment']);
  for (let k = 0; k < 200; k++) {
    if ((await panel('GET', '/api/state'))['coin-acceptor']?.['accepting']) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  t0 = performance.now();
  await panel('POST', '/api/coins', { yen: 500 });
  const paid = await until(['busy', 'printing']);
  times['coin → payment done'].push(paid.at - t0);
  const printing = await until(['printing']);
  times['change paid'].push(printing.at - paid.at);
  let received = await printerEvent('job-received', printing.at);
  times['paid → printing'].push(received - printing.at);
  let last = received;
  for (let c = 1; c <= COPIES; c++) {
    if (c > 1) received = await printerEvent('job-received', last);
    last = await printerEvent('job-printed', received);
    times['copy printed (each)'].push(last - received);
  }
  const end = await until(['take-certificate', 'print-failed'], 240_000);
  if (end.v.screen === 'take-certificate') {
    printed++;
    times['last copy → take'].push(end.at - last);
  }
  flow.intent({ type: end.v.screen === 'print-failed' ? 'refund' : 'done' });
  await until(['attract', 'ended']);
  if (flow.view.screen === 'ended') {
    flow.intent({ type: 'done' });
    await until(['attract']);
  }
}
const med = (xs: number[]) => quantile(xs, 0.5);
const floorMs = med(times.floor);
const PAGE_MS = 300;
globalThis.gc?.();
const mem = process.memoryUsage();
console.log(
  `floor: loopback HTTP round trip to the panel, median ${floorMs.toFixed(2)} ms (n=${times.floor.length})`,
);
let total = 0;
for (const k of STEPS) {
  const xs = times[k];
  if (xs.length === 0) {
    console.log(`${k.padEnd(22)} no sample`);
    continue;
  }
  if (k !== 'certificate PDF') total += med(xs) * (k === 'copy printed (each)' ? COPIES : 1);
  const page = k === 'copy printed (each)' ? `, ${(med(xs) / PAGE_MS).toFixed(1)}× the 300 ms page` : '';
  console.log(`${k.padEnd(22)} ${fmt(xs)}  (${(med(xs) / floorMs).toFixed(0)}× floor${page})`);
}
console.log(`${'waited in all'.padEnd(22)} ${total.toFixed(0)} ms (sum of the medians, ${COPIES} copies)`);
console.log(
  `runs: ${RUNS}, each paid 500 yen for ${COPIES} copies; ${printed} printed (${RUNS - printed} print-failed, refunded)`,
);
console.log(
  `memory (whole system in one process): rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB (before the runs ${(heapBefore.heapUsed / 2 ** 20).toFixed(0)} MiB)`,
);
await sys.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
