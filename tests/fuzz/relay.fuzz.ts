/**
 * Long fuzzing of the relay's kiosk endpoint: hellos (`RELAY_FUZZ_HELLOS`, default 3000) and frames after a
 * real handshake (`RELAY_FUZZ_FRAMES`, default 1000). The bounded version runs in the unit tests.
 */
import { fuzzFrames, fuzzHellos } from '../../relay/testing/fuzz.js';
import { startTestRelay } from '../../relay/testing/harness.js';

const t = await startTestRelay({
  handshakeTimeoutMs: 1000,
  ids: { sourceFailuresPerMinute: 1_000_000, identityFailuresPerMinute: 1_000_000 },
});
try {
  const hellos = Number(process.env['RELAY_FUZZ_HELLOS'] ?? 3000);
  const frames = Number(process.env['RELAY_FUZZ_FRAMES'] ?? 1000);
  let t0 = performance.now();
  await fuzzHellos(t.relay, hellos);
  console.log(
    `relay fuzz: ${hellos} hellos refused with documented codes (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  t0 = performance.now();
  await fuzzFrames(t.relay, frames);
  console.log(
    `relay fuzz: ${frames} bad frames answered or closed with documented codes (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
} finally {
  await t.stop();
}
process.exit(0);
