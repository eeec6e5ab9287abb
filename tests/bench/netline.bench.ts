/**
 * The dedicated line misbehaving (issue 17): one resident's transaction between a kiosk and the center in
 * two network namespaces joined by an impaired line (tests/netline/). For each line it prints what the
 * resident saw, whether the transaction completed or was refunded, the relay's audit records, the time of
 * each step and, after a cut, when the kiosk lost its session and how long after the line came back it had
 * one again. The clean line first: the floor the others compare to.
 *   clean                        no impairment
 *   slow                         64 kbit/s each way (htb), 150 ms each way ± 20 ms, 2 % loss each way
 *   cut-10s / cut-60s / cut-10min   the line down for that long while the VRS query is in flight
 *   paid-cut-60s                 the line down for 60 s from the moment the resident paid (print, outcome)
 * Run: npm run bench -- netline     (NETLINE_SCENARIOS=slow,cut-10s to pick; needs root, see tests/netline)
 */
import { machineLine } from '../run-programs.js';
import { lineAvailable } from '../netline/netns.js';
import { runScenario, type ScenarioOptions, type ScenarioResult } from '../netline/scenario.js';

const SLOW = { delayMs: 150, jitterMs: 20, loss: 0.02 };
const SCENARIOS: Record<string, ScenarioOptions> = {
  clean: {},
  slow: { settings: SLOW, kbit: 64 },
  'cut-10s': { cut: { at: 'before-query', ms: 10_000 } },
  'cut-60s': { cut: { at: 'before-query', ms: 60_000 } },
  'cut-10min': { cut: { at: 'before-query', ms: 600_000 } },
  'paid-cut-60s': { cut: { at: 'paid', ms: 60_000 } },
};

console.log(machineLine());
const available = lineAvailable();
if (!available.ok) {
  console.log(`netline: not run: ${available.reason}`);
  process.exit(0);
}
const pick = process.env['NETLINE_SCENARIOS']?.split(',') ?? Object.keys(SCENARIOS);
const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
let floor: ScenarioResult | undefined;
for (const name of pick) {
  const options = SCENARIOS[name];
  if (!options) throw new Error(`unknown scenario ${name}`);
  const t0 = Date.now();
  const r = await runScenario(options);
  if (name === 'clean') floor = r;
  const outcome =
    r.printed > 0
      ? `completed: ${r.printed} printed, fee ${r.paid} yen kept`
      : `not completed: ${r.screen}${r.code ? ` ${r.code}` : ''}, paid ${r.paid} yen, refunded ${r.refunded} yen`;
  const ratio = (k: string) =>
    floor && floor.steps[k] ? ` (×${((r.steps[k] ?? 0) / floor.steps[k]).toFixed(1)} clean)` : '';
  console.log(`\n${name}: ${outcome}`);
  console.log(`  resident saw: ${r.screens.join(' → ')}`);
  console.log(
    `  steps: card read ${s(r.steps['card-read'])}, municipalities ${s(r.steps['municipalities'])}${ratio('municipalities')}, VRS query ${s(r.steps['query'])}${ratio('query')}, paid → printing ${s(r.steps['paid'])}, printing ${s(r.steps['printed'])}`,
  );
  console.log(`  first session over the line (enrollment + handshake): ${s(r.readyMs)}`);
  if (options.cut)
    console.log(
      `  cut ${s(options.cut.ms)} at ${options.cut.at}: session dropped ${r.sessionDroppedAfterMs === null ? 'never (TCP carried it across)' : `after ${s(r.sessionDroppedAfterMs)}`}; session up again ${s(r.reconnectMs ?? undefined)} after the line came back; first relay round trip ${s(r.recoveredMs ?? undefined)} after it came back${r.probeFailures.length ? ` (failed before: ${r.probeFailures.join(', ')})` : ''}`,
    );
  console.log(`  relay audit: ${r.audit.join(', ') || 'none'}`);
  console.log(
    `  line: ${r.line?.['forwarded'] ?? '?'} frames forwarded, ${r.line?.['dropped'] ?? '?'} dropped; scenario ${s(Date.now() - t0)} wall time`,
  );
}
process.exit(0);
