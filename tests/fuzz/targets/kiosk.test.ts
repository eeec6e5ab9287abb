import { defineFuzzTests } from '../lib/vitest.js';
import { kioskSuite } from './kiosk.js';

await defineFuzzTests(kioskSuite);
