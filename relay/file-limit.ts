import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Treated as the limit when the kernel says "unlimited". */
const UNLIMITED = 1_048_576;

/**
 * The process's soft limit on open files (`RLIMIT_NOFILE`, what `ulimit -n` shows): from
 * `/proc/self/limits` on Linux, else from a shell's `ulimit -n` (a child inherits the limit), else 1024.
 * Node has no `getrlimit`; every socket, file and pipe of the process counts against this number.
 */
export function openFileLimit(): number {
  try {
    const m = /^Max open files\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m?.[1] !== undefined) return m[1] === 'unlimited' ? UNLIMITED : Number(m[1]);
  } catch {
    // not Linux: ask a shell
  }
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const out = r.stdout?.trim() ?? '';
  if (out === 'unlimited') return UNLIMITED;
  const n = Number(out);
  return Number.isInteger(n) && n > 0 ? n : 1024;
}
