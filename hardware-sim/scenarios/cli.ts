import { loadScenario, runScenario, ScenarioError } from './runner.js';

/**
 * `npm run sim:scenario -- <file.yaml> --panel <url>`: runs a scenario against a running simulator's
 * control panel (the `panel` URL printed by `npm run sim` / `npm start`). Exit code 0 when every step
 * passed, 1 with the failing step's code otherwise, 2 on bad arguments.
 */
const args = process.argv.slice(2);
const at = args.indexOf('--panel');
const panel = at >= 0 ? args[at + 1] : process.env['SIM_PANEL_URL'];
const files = args.filter((a, i) => a !== '--panel' && i !== at + 1);
if (files.length === 0 || !panel) {
  process.stderr.write(
    'usage: npm run sim:scenario -- <scenario.yaml> [more.yaml …] --panel http://127.0.0.1:<port>\n',
  );
  process.exit(2);
}
try {
  for (const f of files) await runScenario(loadScenario(f), panel, (l) => process.stdout.write(l + '\n'));
} catch (err) {
  if (err instanceof ScenarioError) {
    process.stderr.write(`${err.code}${err.step ? ` at step ${err.step}` : ''}: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
