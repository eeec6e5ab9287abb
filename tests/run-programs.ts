import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';

/** The machine a figure was measured on, printed before any figure. */
export function machineLine(): string {
  const cpu = cpus();
  return `machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${osType()} ${release()}, node ${process.version}`;
}

/**
 * Runs every `<dir>/*<suffix>` program in its own process, one after another, printing the machine first.
 * `filter` keeps only the files whose name contains it. Returns the process exit code.
 */
export function runPrograms(
  dir: string,
  suffix: string,
  filter: string | undefined,
  nodeArgs: string[] = [],
): number {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .filter((f) => filter === undefined || f.includes(filter))
    .sort();
  console.log(machineLine());
  let failed = 0;
  for (const f of files) {
    console.log(`\n== ${f}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', ...nodeArgs, join(dir, f)], {
      stdio: 'inherit',
    });
    if (r.status !== 0) {
      failed++;
      console.log(`!! ${f} exited with ${String(r.status)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}
