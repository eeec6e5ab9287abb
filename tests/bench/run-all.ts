import { join } from 'node:path';
import { runPrograms } from '../run-programs.js';

/** `npm run bench [-- filter]`: every `tests/bench/*.bench.ts` program, each in its own process. */
process.exit(
  runPrograms(join(process.cwd(), 'tests', 'bench'), '.bench.ts', process.argv[2], ['--expose-gc']),
);
