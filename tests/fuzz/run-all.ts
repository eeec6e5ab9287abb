import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runPrograms } from '../run-programs.js';

/**
 * `npm run fuzz [-- filter]`: every `tests/fuzz/*.fuzz.ts` program (long fuzzing runs), each in its own process,
 * with `--expose-gc` for the heap figures (and without Node's warnings: the yaml parser warns on odd input). A filter that names no program file is passed to the boundary
 * targets (`boundaries.fuzz.ts`) as `FUZZ_FILTER`, matching target ids and suite names.
 */
const dir = join(process.cwd(), 'tests', 'fuzz');
const filter = process.argv[2];
const names = readdirSync(dir).filter((f) => f.endsWith('.fuzz.ts'));
const byFile = filter === undefined || names.some((f) => f.includes(filter));
if (!byFile) process.env['FUZZ_FILTER'] = filter;
process.env['FUZZ_QUIET_MACHINE'] = '1';
process.exit(runPrograms(dir, '.fuzz.ts', byFile ? filter : 'boundaries', ['--expose-gc', '--no-warnings']));
