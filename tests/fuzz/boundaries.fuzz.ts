import { runSuites } from './lib/run.js';
import { protocolSuite } from './targets/protocol.js';
import { relaySuite } from './targets/relay.js';
import { configSuite } from './targets/config.js';
import { kioskSuite } from './targets/kiosk.js';
import { panelSuite } from './targets/panel.js';

/**
 * Long fuzzing of the parsers at the trust boundaries (see tests/fuzz/README.md): `FUZZ_RUNS` inputs per
 * target (default 100,000), `FUZZ_FILTER` to pick targets by id or suite name.
 */
await runSuites([protocolSuite, configSuite, kioskSuite, panelSuite, relaySuite]);
