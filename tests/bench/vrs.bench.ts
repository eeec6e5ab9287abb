/**
 * VRS stand-in benchmark: seeding one million residents into one municipality, then look-up and signing
 * latency (p50 / p99) against that partition, and the whole request path (open the sealed request, verify
 * the card, look up, sign, audit, seal the answer).
 *
 *   npm run bench -- vrs                      PGlite on disk (the default back end)
 *   VRS_BENCH_RESIDENTS=200000 npm run bench -- vrs
 *   VRS_BENCH_POSTGRES=1 npm run bench -- vrs a throwaway PostgreSQL server (needs the Debian package)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { nodeCrypto } from '../../common/crypto-node.js';
import { openDb } from '../../common/db.js';
import { createLogger } from '../../common/log.js';
import { startTestPostgres, type TestPostgres } from '../../common/testing/postgres.js';
import { createCardFiles } from '../../protocol/card-data.js';
import { generateIdentity, keyId } from '../../protocol/index.js';
import { CertificateIssuer } from '../../vrs-sim/certs/issuer.js';
import { ensureVdsNcSigner } from '../../vrs-sim/certs/pki.js';
import { SigningKeys } from '../../vrs-sim/certs/signing-keys.js';
import type { ResidentRecord } from '../../vrs-sim/record.js';
import { ResidentGenerator } from '../../vrs-sim/seed/generate.js';
import { seedStore } from '../../vrs-sim/seed/seed.js';
import { KeyStore } from '../../vrs-sim/storage/keystore.js';
import { ResidentStore } from '../../vrs-sim/storage/store.js';
import {
  createTestHandler,
  encodeCard,
  testKenhojoIssuer,
  relayRequest,
  sealTestRequest,
} from '../../vrs-sim/testing/requests.js';

const N = Number(process.env['VRS_BENCH_RESIDENTS'] ?? 1_000_000);
const CODE = '131016';
const SAMPLES = 2000;
const BATCH = 10_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(3)} ms, p99 ${pct(xs, 99).toFixed(3)} ms, max ${Math.max(...xs).toFixed(3)} ms (n=${xs.length})`;
/** Collects garbage between phases when run with --expose-gc (npm run bench does), so one phase's garbage is not billed to the next. */
const settle = () => (globalThis as { gc?: () => void }).gc?.();
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

const dir = mkdtempSync(join(tmpdir(), 'vrs-bench-'));
let pg: TestPostgres | undefined;
if (process.env['VRS_BENCH_POSTGRES'] === '1') pg = await startTestPostgres();
const db = await openDb({ url: pg?.url, dataDir: join(dir, 'db') });
console.log(`vrs: back end ${db.kind}, ${N.toLocaleString('en')} residents in municipality ${CODE}`);
try {
  const keys = new KeyStore(join(dir, 'keys'));
  const store = await ResidentStore.open(db, keys);
  const gen = new ResidentGenerator('bench', CODE);

  // Where the seeding time goes, on one thread: 50,000 residents of another municipality.
  {
    const sampleCode = '131041';
    await store.ensureMunicipality(sampleCode);
    const g = new ResidentGenerator('bench', sampleCode);
    let tGen = 0;
    let tSeal = 0;
    let tInsert = 0;
    for (let i = 0; i < 50_000; i += BATCH) {
      let t = performance.now();
      const records: ResidentRecord[] = [];
      for (let j = i; j < i + BATCH; j++) records.push(g.resident(j));
      tGen += performance.now() - t;
      t = performance.now();
      const rows = store.sealRows(sampleCode, records);
      tSeal += performance.now() - t;
      t = performance.now();
      await store.insertSealed(sampleCode, rows);
      tInsert += performance.now() - t;
    }
    const per = (ms: number) => `${((ms / 50_000) * 1000).toFixed(1)} µs/row`;
    console.log(
      `seed cost, one thread: generate ${per(tGen)}, seal (HMAC + secretbox) ${per(tSeal)}, insert into an indexed partition ${per(tInsert)}`,
    );
  }

  // Seed one municipality: sealing on a worker thread overlaps with the inserts into the detached
  // partition, which is indexed once and attached at the end.
  const t0 = performance.now();
  const report = await seedStore(store, {
    perMunicipality: N,
    seed: 'bench',
    municipalities: [CODE],
    fixtures: [],
    batch: BATCH,
    worker: true,
  });
  const seedS = (performance.now() - t0) / 1000;
  if (report.inserted !== N) throw new Error(`seeded ${report.inserted}, expected ${N}`);
  console.log(
    `seed: ${seedS.toFixed(1)} s for ${N.toLocaleString('en')} residents (${Math.round(N / seedS).toLocaleString('en')} rows/s); rss ${mib(process.memoryUsage().rss)}`,
  );
  const size = await db.query<{ b: string }>(`SELECT pg_total_relation_size('vrs_resident_${CODE}') AS b`);
  console.log(`partition size: ${mib(Number(size.rows[0]?.b ?? 0))}`);

  settle();
  // Look-up: keyed hash, index probe on the partition, open and parse the record.
  const lookup: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const n = gen.myNumber(Math.floor(Math.random() * N));
    const t = performance.now();
    const r = await store.find(CODE, n);
    lookup.push(performance.now() - t);
    if (!r.ok) throw new Error(`lookup failed: ${r.code}`);
  }
  console.log(`lookup (hit): ${fmt(lookup)}`);
  const miss: number[] = [];
  for (let k = 0; k < 500; k++) {
    const t = performance.now();
    await store.find(CODE, gen.myNumber(N + k));
    miss.push(performance.now() - t);
  }
  console.log(`lookup (miss): ${fmt(miss)}`);

  settle();
  // Signing: SHC (deflate + ES256) and, for overseas, VDS-NC too.
  const signingKeys = new SigningKeys(join(dir, 'signing'));
  const issuer = new CertificateIssuer({
    db,
    keys: signingKeys,
    vdsnc: await ensureVdsNcSigner(dir),
    iss: () => 'https://127.0.0.1:8443/issuer',
  });
  const sample = Array.from({ length: 200 }, (_, k) => gen.resident(k));
  const withPassport: ResidentRecord[] = sample.map((r) => ({
    ...r,
    passport: r.passport ?? { number: 'TK1234567', nationality: 'JPN', registeredAt: '2022-08-01' },
  }));
  const signDom: number[] = [];
  const signOver: number[] = [];
  const lens: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const r = sample[k % sample.length] as ResidentRecord;
    let t = performance.now();
    const c = issuer.sign(r, CODE, 'domestic');
    signDom.push(performance.now() - t);
    lens.push(c.shc.length);
    t = performance.now();
    issuer.sign(withPassport[k % sample.length] as ResidentRecord, CODE, 'overseas');
    signOver.push(performance.now() - t);
  }
  console.log(`sign domestic (SHC): ${fmt(signDom)}`);
  console.log(`sign overseas (SHC + VDS-NC): ${fmt(signOver)}`);
  console.log(
    `SHC length: p50 ${pct(lens, 50)}, max ${Math.max(...lens)} characters (one V22 QR: L ≤ 1195, M ≤ 927)`,
  );

  settle();
  // The whole request path, in process (no sockets): what VRS adds to one kiosk request.
  const cardIssuer = await testKenhojoIssuer();
  const box = nacl.box.keyPair();
  const handler = await createTestHandler({
    db,
    store,
    issuer,
    log: createLogger('bench', () => undefined),
    spreadThreshold: 1e9,
    crypto: nodeCrypto,
    boxSecretKey: box.secretKey,
    kenhojoIssuer: cardIssuer.verifier,
  });
  // One issuer for every resident; each request carries that resident's freshly signed files.
  const kiosk = generateIdentity(nodeCrypto);
  const full: number[] = [];
  for (let k = 0; k < 500; k++) {
    const r = gen.resident(Math.floor(Math.random() * N));
    const { sealed, requestId } = sealTestRequest({
      vrsBoxPublicKey: box.publicKey,
      kioskId: keyId(kiosk.publicKey),
      municipality: CODE,
      card: encodeCard(createCardFiles(r, cardIssuer)),
      crypto: nodeCrypto,
    });
    // Timed as before: wrapping the sealed request in the relay's message, then handling it.
    const t = performance.now();
    const reply = await handler.handle(
      relayRequest({ requestId, kioskId: keyId(kiosk.publicKey), municipality: CODE, sealed }),
      { relayId: 'bench', source: 'bench' },
    );
    full.push(performance.now() - t);
    if (reply.type !== 'vrs.response') throw new Error(`request failed: ${reply.type}`);
  }
  console.log(`whole request (open, verify card, look up, sign, audit, seal): ${fmt(full)}`);
  console.log(`rss ${mib(process.memoryUsage().rss)}`);
} finally {
  await db.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
}
