import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { nodeCrypto } from '../../common/crypto-node.js';
import { openDb } from '../../common/db.js';
import { createLogger } from '../../common/log.js';
import { sealTo } from '../../protocol/envelope/box.js';
import { generateIdentity, keyId, newRequestId, sealRequest, toBase64Url } from '../../protocol/index.js';
import { AlertCenter, ResidentSpread } from '../../vrs-sim/alerts.js';
import { CertificateIssuer } from '../../vrs-sim/certs/issuer.js';
import { canonicalJson } from '../../vrs-sim/certs/jwk.js';
import { ensureVdsNcSigner } from '../../vrs-sim/certs/pki.js';
import { SigningKeys } from '../../vrs-sim/certs/signing-keys.js';
import { RequestHandler } from '../../vrs-sim/handler.js';
import { seedStore } from '../../vrs-sim/seed/seed.js';
import { parseRole, VrsService } from '../../vrs-sim/service.js';
import { decodeRecord } from '../../vrs-sim/storage/record-box.js';
import { KeyStore } from '../../vrs-sim/storage/keystore.js';
import { ResidentStore } from '../../vrs-sim/storage/store.js';

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
  const log = createLogger('fuzz', () => undefined);
  const handler = new RequestHandler({
    db,
    service: new VrsService(store),
    issuer: new CertificateIssuer({
      db,
      keys: new SigningKeys(join(dir, 'signing')),
      vdsnc: await ensureVdsNcSigner(dir),
      iss: () => 'https://127.0.0.1:1/issuer',
    }),
    alerts: new AlertCenter({ db, log }),
    spread: new ResidentSpread({ threshold: 1e9 }),
    crypto: nodeCrypto,
    boxSecretKey: box.secretKey,
    cardCaPublicKey: nacl.sign.keyPair().publicKey,
    log,
  });
  const kid = keyId(generateIdentity(nodeCrypto).publicKey);
  const handlerRuns = Math.max(10, Math.floor(runs / 100));
  const ef = fc.uint8Array({ minLength: 1, maxLength: 300 });
  let t0 = Date.now();
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 500 }), async (bytes) => {
      const requestId = newRequestId(nodeCrypto);
      const reply = await handler.handle(
        {
          v: 1,
          type: 'vrs.request',
          requestId,
          kioskId: kid,
          municipality: '131016',
          sealed: toBase64Url(sealTo(nodeCrypto, box.publicKey, bytes)),
        },
        { relayId: 'fuzz', source: 'fuzz' },
      );
      return reply.type === 'vrs.error';
    }),
    { numRuns: handlerRuns },
  );
  console.log(`handler (garbage in a valid envelope): ${handlerRuns} requests, ok (${Date.now() - t0} ms)`);
  t0 = Date.now();
  await fc.assert(
    fc.asyncProperty(ef, ef, ef, ef, async (a, b, c, d) => {
      const requestId = newRequestId(nodeCrypto);
      const { sealed } = sealRequest({
        vrsBoxPublicKey: box.publicKey,
        request: {
          requestId,
          kioskId: kid,
          municipality: '131016',
          certType: 'domestic',
          copies: 1,
          card: {
            myNumberEf: toBase64Url(a),
            basic4Ef: toBase64Url(b),
            signatureEf: toBase64Url(c),
            certificateEf: toBase64Url(d),
          },
        },
        crypto: nodeCrypto,
      });
      const reply = await handler.handle(
        {
          v: 1,
          type: 'vrs.request',
          requestId,
          kioskId: kid,
          municipality: '131016',
          sealed: toBase64Url(sealed),
        },
        { relayId: 'fuzz', source: 'fuzz' },
      );
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
