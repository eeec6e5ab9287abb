/**
 * V8 flags a relay process runs with (`npm run relay`, `spawnRelay`). A 4 MiB young generation keeps
 * each scavenge short: with V8's default (16 MiB) the forwarding benchmark saw 2–6 ms pauses five times a
 * second at 1,000 requests/s, and 3 % of requests spent over 5 ms inside the relay; with 4 MiB, 0.2 %
 * (`npm run bench -- relay-forwarding`, which prints the relay's own latency split).
 */
export const RELAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
