import fc from 'fast-check';
import { nodeCrypto } from '../../common/crypto-node.js';
import {
  acceptHello,
  createInitiator,
  decodeMessage,
  generateIdentity,
  KioskToRelay,
  openSealed,
  RelayToVrs,
  VrsToRelay,
  RelayToKiosk,
  x25519KeyPair,
} from '../../protocol/index.js';

/**
 * Long fuzzing of every parser a peer can reach: message decoding, hellos, sealed envelopes, channel frames.
 * `FUZZ_RUNS` sets the number of inputs per target (default 250,000; a million: FUZZ_RUNS=1000000).
 * The property: nothing a peer sends makes these throw; every input gets a result.
 */
const runs = Number(process.env['FUZZ_RUNS'] ?? 250_000);
const relay = generateIdentity(nodeCrypto);
const kiosk = generateIdentity(nodeCrypto);
const box = x25519KeyPair(nodeCrypto);

function target(
  name: string,
  arb: fc.Arbitrary<unknown>,
  check: (v: never) => void | Promise<void>,
  n = runs,
) {
  return { name, arb, check, n };
}

const jsonish = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      v: fc.constantFrom(1, 2, '1'),
      type: fc.constantFrom('issue.request', 'heartbeat', 'vrs.request', 'notice', 'x'),
    },
    { requiredKeys: [] },
  ),
);

const targets = [
  target('decodeMessage(random bytes)', fc.uint8Array({ maxLength: 512 }), (b: Uint8Array) => {
    for (const s of [KioskToRelay, RelayToKiosk, RelayToVrs, VrsToRelay]) decodeMessage(b, s);
  }),
  target('decodeMessage(JSON-shaped)', jsonish, (v: unknown) => {
    const b = new TextEncoder().encode(JSON.stringify(v) ?? 'null');
    for (const s of [KioskToRelay, RelayToKiosk, RelayToVrs, VrsToRelay]) decodeMessage(b, s);
  }),
  target('openSealed(random bytes)', fc.uint8Array({ maxLength: 300 }), (b: Uint8Array) => {
    if (openSealed(nodeCrypto, box.secretKey, b).ok) throw new Error('random bytes opened');
  }),
  target(
    'acceptHello(random strings)',
    fc.string({ maxLength: 300 }),
    async (s: string) => {
      const r = await acceptHello(s, { identity: relay, crypto: nodeCrypto, isKnownPeer: () => true });
      if (r.ok) throw new Error('random hello accepted');
    },
    Math.min(runs, 50_000),
  ),
];

const init = createInitiator({ identity: kiosk, peerPublicKey: relay.publicKey, crypto: nodeCrypto });
const acc = await acceptHello(init.hello, { identity: relay, crypto: nodeCrypto, isKnownPeer: () => true });
if (!acc.ok) throw new Error(acc.code);

for (const t of targets) {
  const start = performance.now();
  const prop = fc.asyncProperty(t.arb, async (v) => {
    await t.check(v as never);
  });
  await fc.assert(prop, { numRuns: t.n });
  console.log(
    `${t.name.padEnd(36)} ${t.n} inputs, no failure (${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );
}
