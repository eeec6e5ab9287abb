import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { nodeCrypto } from '../../common/crypto-node.js';
import { openDb } from '../../common/db.js';
import { createLogger } from '../../common/log.js';
import { sealTo } from '../../protocol/envelope/box.js';
import { generateIdentity, keyId, newRequestId } from '../../protocol/index.js';
import { canonicalJson } from '../../vrs-sim/certs/jwk.js';
import { seedStore } from '../../vrs-sim/seed/seed.js';
import { parseRole } from '../../vrs-sim/service.js';
import { decodeRecord } from '../../vrs-sim/storage/record-box.js';
import { KeyStore } from '../../vrs-sim/storage/keystore.js';
import { ResidentStore } from '../../vrs-sim/storage/store.js';
import {
  createTestHandler,
  encodeCard,
  relayRequest,
  testKenhojoIssuer,
  vrsRequestMessage,
} from '../../vrs-sim/testing/requests.js';

/**
 * Long fuzzing of what a peer or an operator can put in front of the VRS stand-in: the stored-record decoder,
 * role strings, canonical JSON, and the request handler (garbage inside a valid envelope, arbitrary card
 * files). `FUZZ_RUNS` inputs per pure target (default 100,000; the handler gets a hundredth, each one is a
 * real request). The properties: nothing throws; nothing garbled is ever issued.
 */
const runs = Number(process.env['FUZZ_RUNS'] ?? 100_000);

function target<T>(name: string, arb: fc.Arbitrary<T>, check: (v: T) => void): void {
  const t0 = Date.now();
  fc.assert(fc.property(arb, check), { numRuns: runs });
  console.log(`${name}: ${runs} inputs, ok (${Date.now() - t0} ms)`);
}

target('record decoder (bytes)', fc.uint8Array({ maxLength: 400 }), (b) => void decodeRecord(b));
target('record decoder (JSON arrays)', fc.array(fc.jsonValue(), { maxLength: 12 }), (a) => {
  const r = decodeRecord(new TextEncoder().encode(JSON.stringify(a)));
  if (r !== undefined && (r.v !== 1 || !/^\d{12}$/.test(r.myNumber)))
    throw new Error('decoded an invalid record');
});
target('role parser', fc.string({ maxLength: 30 }), (s) => {
  try {
    parseRole(s);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
  }
});
target('canonical JSON round trip', fc.jsonValue(), (v) => {
  const once = canonicalJson(v);
  if (canonicalJson(JSON.parse(once)) !== once) throw new Error('not idempotent');
});

// The handler, in process, on an in-memory database.
const dir = mkdtempSync(join(tmpdir(), 'vrs-fuzz-'));
const db = await openDb();
try {
  const store = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
  await seedStore(store, { perMunicipality: 20, seed: 'fuzz', municipalities: ['131016'] });
  const box = nacl.box.keyPair();
  const handler = await createTestHandler({
    db,
    dir,
    store,
    log: createLogger('fuzz', () => undefined),
    spreadThreshold: 1e9,
    crypto: nodeCrypto,
    boxSecretKey: box.secretKey,
    kenhojoIssuer: (await testKenhojoIssuer()).verifier,
  });
  const ctx = { relayId: 'fuzz', source: 'fuzz' };
  const kid = keyId(generateIdentity(nodeCrypto).publicKey);
  const handlerRuns = Math.max(10, Math.floor(runs / 100));
  const ef = fc.uint8Array({ minLength: 1, maxLength: 300 });
  let t0 = Date.now();
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 500 }), async (bytes) => {
      const requestId = newRequestId(nodeCrypto);
      const sealed = sealTo(nodeCrypto, box.publicKey, bytes);
      const reply = await handler.handle(
        relayRequest({ requestId, kioskId: kid, municipality: '131016', sealed }),
        ctx,
      );
      return reply.type === 'vrs.error';
    }),
    { numRuns: handlerRuns },
  );
  console.log(`handler (garbage in a valid envelope): ${handlerRuns} requests, ok (${Date.now() - t0} ms)`);
  t0 = Date.now();
  await fc.assert(
    fc.asyncProperty(ef, ef, ef, ef, async (a, b, c, d) => {
      const { msg, requestId } = vrsRequestMessage({
        vrsBoxPublicKey: box.publicKey,
        kioskId: kid,
        municipality: '131016',
        card: encodeCard({ myNumberEf: a, basic4Ef: b, signatureEf: c, certificateEf: d }),
        crypto: nodeCrypto,
      });
      const reply = await handler.handle(msg, ctx);
      if (reply.type !== 'vrs.response') return false;
      const issued = await db.query(
        "SELECT 1 FROM vrs_issuance WHERE request_id = $1 AND outcome = 'issued'",
        [requestId],
      );
      return issued.rows.length === 0;
    }),
    { numRuns: handlerRuns },
  );
  console.log(`handler (arbitrary card files): ${handlerRuns} requests, none issued (${Date.now() - t0} ms)`);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
