import { defineFuzzTests } from '../lib/vitest.js';
import { relaySuite } from './relay.js';

// Every relay target, bounded: relay-ops and relay-enroll once ran only in the long mode, until text with U+0000
// and lone surrogates was refused at every schema (tests/fuzz/README.md, "Bugs found").
await defineFuzzTests(relaySuite);
