import { defineFuzzTests } from '../lib/vitest.js';
import { configSuite } from './config.js';

await defineFuzzTests(configSuite);
