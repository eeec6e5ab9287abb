import { join } from 'node:path';
import { runPrograms } from '../run-programs.js';

/** `npm run fuzz [-- filter]`: every `tests/fuzz/*.fuzz.ts` program (long fuzzing runs), each in its own process. */
process.exit(runPrograms(join(process.cwd(), 'tests', 'fuzz'), '.fuzz.ts', process.argv[2]));
