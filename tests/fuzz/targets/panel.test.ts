import { defineFuzzTests } from '../lib/vitest.js';
import { panelSuite } from './panel.js';

await defineFuzzTests(panelSuite);
