import { defineFuzzTests } from '../lib/vitest.js';
import { protocolSuite } from './protocol.js';

await defineFuzzTests(protocolSuite);
