import { FAULTS } from './lib/catalogue.js';
import { emptyRow, runFault, SYSTEM_OPTIONS, type FaultRow } from './lib/faults.js';
import { startFaultSystem } from './lib/system.js';

/**
 * `npm run report:reliability`: every fault of the catalogue against the whole system (relays on
 * PostgreSQL and VRS in child processes, the kiosk core on the simulators), `FAULT_RUNS` times each (default
 * 3), then one table. `FAULT_ONLY=<text>` runs the faults whose name contains it. Exits 1 when any fault
 * broke a promise (the problems are listed under the table).
 */
const runs = Number(process.env['FAULT_RUNS'] ?? 3);
if (!Number.isInteger(runs) || runs < 1) throw new TypeError('FAULT_RUNS: a positive integer expected');
const only = process.env['FAULT_ONLY'];
const faults = FAULTS.filter((f) => only === undefined || f.name.includes(only));

const sys = await startFaultSystem(SYSTEM_OPTIONS);
const rows: FaultRow[] = [];
let failed = false;
try {
  for (const f of faults) {
    const row = emptyRow(f.name);
    for (let i = 0; i < runs; i++) {
      await runFault(sys, f, row);
      process.stderr.write(
        `${f.name}: run ${i + 1}/${runs}${row.problems.length ? ` (${row.problems.length} problem(s))` : ''}\n`,
      );
    }
    rows.push(row);
  }
} finally {
  failed = rows.some((r) => r.problems.length > 0);
  await sys.stop({ keep: failed });
}

const header = [
  'fault',
  'runs',
  'resident saw',
  'certificates',
  'fees kept (yen)',
  'paid back (yen)',
  'audit expected/found',
  'alerts',
  'personal data found',
  'result',
];
const table = rows.map((r) => [
  r.fault,
  String(r.runs),
  [...r.saw].slice(0, 4).join('; '),
  String(r.certificates),
  String(r.feesKept),
  String(r.refunded),
  `${r.auditExpected}/${r.auditFound}`,
  [...r.alerts].map(([k, n]) => `${k}×${n}`).join(' ') || '-',
  String(r.personalData),
  r.problems.length === 0 ? 'ok' : `FAIL (${r.problems.length})`,
]);
const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '/')).join(' | ')} |`;
process.stdout.write([line(header), line(header.map(() => '---')), ...table.map(line)].join('\n') + '\n');
for (const r of rows) for (const p of new Set(r.problems)) process.stdout.write(`- ${r.fault}: ${p}\n`);
process.exit(failed ? 1 : 0);
