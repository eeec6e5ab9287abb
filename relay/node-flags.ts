/**
 * V8 flags a relay process runs with (`npm run relay`, whose script repeats them, and `spawnRelay`).
 * - A 4 MiB young generation keeps each scavenge short: with V8's default (16 MiB) the forwarding benchmark
 *   saw 2–6 ms pauses five times a second at 1,000 requests/s, and 3 % of requests spent over 5 ms inside
 *   the relay; with 4 MiB, 0.2 %.
 * - Single-threaded GC: V8's parallel GC helpers take a second core for each collection. A relay shares its
 *   machine with other relay processes and PostgreSQL (the scale-out set-up), whose event loops those helpers
 *   preempt. Measured at 1,000 requests/s (three alternating runs each, 15 s): requests over 10 ms inside
 *   the relay fell from 0.15–0.27 % to 0.00–0.05 %, over 5 ms from 0.66–0.89 % to 0.37–0.47 %; the
 *   reconnect storm stayed within its run-to-run spread.
 * (`npm run bench -- relay-forwarding` prints the relay's own latency split.)
 */
export const RELAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--single-threaded-gc'];
