import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../common/db.js';
import {
  createTestDatabase,
  postgresUnavailableReason,
  startTestPostgres,
  type TestPostgres,
} from '../../common/testing/postgres.js';
import { fixtureRecord, loadFixtures } from '../seed/fixtures.js';
import { ResidentGenerator } from '../seed/generate.js';
import { seedStore } from '../seed/seed.js';
import { KeyStore } from './keystore.js';
import { openRecord } from './record-box.js';
import { ResidentStore } from './store.js';

const fixtures = loadFixtures();
function mustFind<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} expected`);
  return value;
}
const taro = mustFind(
  fixtures.find((f) => f.municipality === '131016' && !/no vaccination/i.test(f.notes)),
  'fixture resident in 131016',
);

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** The same behaviour on both back ends. */
function storeSuite(label: string, open: () => Promise<{ db: Db; dir: string }>) {
  describe(`resident store on ${label}`, () => {
    let db: Db;
    let dir: string;
    let keys: KeyStore;
    let store: ResidentStore;
    const alerts: string[] = [];

    beforeAll(async () => {
      ({ db, dir } = await open());
      keys = new KeyStore(join(dir, 'keys'));
      store = await ResidentStore.open(db, keys, { alert: (kind, text) => alerts.push(`${kind} ${text}`) });
      await seedStore(store, {
        perMunicipality: 300,
        seed: 'unit',
        municipalities: ['131016', '131041', '271004'],
      });
    });
    afterAll(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('finds a fixture resident with doses, only in its own municipality', async () => {
      const r = await store.find('131016', taro.myNumber);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.record.name).toBe(taro.name);
      expect(r.record.doses.length).toBeGreaterThan(0);
      expect(r.residentHash).toHaveLength(32);
      expect((await store.find('131041', taro.myNumber)).ok).toBe(false);
      expect(await store.find('131041', taro.myNumber)).toMatchObject({ code: 'VRS_NO_RECORD' });
    });

    it('finds generated residents and answers codes for unknown numbers and municipalities', async () => {
      const gen = new ResidentGenerator('unit', '271004');
      const r = await store.find('271004', gen.myNumber(123));
      expect(r.ok && r.record).toEqual(gen.resident(123));
      expect(await store.find('271004', gen.myNumber(300))).toMatchObject({
        ok: false,
        code: 'VRS_NO_RECORD',
      });
      expect(await store.find('999999', gen.myNumber(1))).toMatchObject({
        ok: false,
        code: 'VRS_MUNICIPALITY_UNKNOWN',
      });
      // A real municipality that was not seeded is served and has no records.
      expect(await store.find('011002', gen.myNumber(1))).toMatchObject({
        ok: false,
        code: 'VRS_NO_RECORD',
      });
    });

    it('keeps separate partitions and keys per municipality', async () => {
      const parts = await db.query<{ relname: string }>(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         WHERE p.relname = 'vrs_resident' ORDER BY 1`,
      );
      expect(parts.rows.map((r) => r.relname)).toEqual([
        'vrs_resident_131016',
        'vrs_resident_131041',
        'vrs_resident_271004',
      ]);
      const a = keys.get('131016');
      const b = keys.get('131041');
      expect(a && b && Buffer.compare(a.dataKey, b.dataKey)).not.toBe(0);
      const row = await db.query<{ sealed: Uint8Array }>(
        "SELECT sealed FROM vrs_resident WHERE municipality = '131016' LIMIT 1",
      );
      const r0 = row.rows[0];
      if (!r0 || !a || !b) throw new Error('row and keys expected');
      expect(openRecord(new Uint8Array(r0.sealed), a.dataKey)).toBeDefined();
      expect(openRecord(new Uint8Array(r0.sealed), b.dataKey)).toBeUndefined();
      const key = statSync(join(dir, 'keys', '131016.json'));
      expect(key.mode & 0o777).toBe(0o600);
    });

    it('detects a sealed record moved onto another row', async () => {
      const gen = new ResidentGenerator('unit', '131041');
      const rows = await db.query<{ lookup: Uint8Array }>(
        "SELECT lookup FROM vrs_resident WHERE municipality = '131041' ORDER BY lookup LIMIT 2",
      );
      const [x, y] = rows.rows;
      if (!x || !y) throw new Error('two rows expected');
      await db.query(
        `UPDATE vrs_resident SET sealed = (SELECT sealed FROM vrs_resident WHERE municipality = '131041' AND lookup = $2)
         WHERE municipality = '131041' AND lookup = $1`,
        [Buffer.from(x.lookup), Buffer.from(y.lookup)],
      );
      let corrupt = 0;
      for (let i = 0; i < 300; i++) {
        const r = await store.find('131041', gen.myNumber(i));
        if (!r.ok) corrupt++;
        if (!r.ok) expect(r.code).toBe('VRS_RECORD_CORRUPT');
      }
      expect(corrupt).toBe(1);
    });

    it('counts residents and doses per municipality without opening records', async () => {
      const counts = await store.counts(['131016', '271004']);
      expect(counts.map((c) => c.municipality)).toEqual(['131016', '271004']);
      for (const c of counts) {
        expect(c.residents).toBeGreaterThanOrEqual(300);
        expect(c.residentsByDoseCount.reduce((s, n) => s + n, 0)).toBe(c.residents);
        expect(c.doses).toBeGreaterThan(c.residents);
      }
    });

    it('crypto-shreds one municipality: its rows stay but never open again; others are untouched', async () => {
      const before = await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM vrs_resident WHERE municipality = '131016'",
      );
      const oldKey = keys.get('131016');
      if (!oldKey) throw new Error('key expected');
      const oldData = Uint8Array.from(oldKey.dataKey);
      expect(keys.shred('131016')).toBe(true);
      await store.markShredded('131016');
      expect(oldKey.dataKey.every((b) => b === 0)).toBe(true);
      expect(readdirSync(join(dir, 'keys'))).not.toContain('131016.json');
      expect(await store.find('131016', taro.myNumber)).toMatchObject({
        ok: false,
        code: 'VRS_DATA_SHREDDED',
      });
      // A fresh key store over the same folder (a restart) cannot bring it back, and refuses a new key.
      const again = new KeyStore(join(dir, 'keys'));
      expect(again.get('131016')).toBeUndefined();
      expect(() => again.create('131016')).toThrow(/shredded/);
      const after = await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM vrs_resident WHERE municipality = '131016'",
      );
      expect(after.rows[0]?.n).toEqual(before.rows[0]?.n);
      // No remaining key opens any of its rows.
      const rows = await db.query<{ sealed: Uint8Array }>(
        "SELECT sealed FROM vrs_resident WHERE municipality = '131016' LIMIT 20",
      );
      for (const code of ['131041', '271004']) {
        const k = again.get(code);
        if (!k) throw new Error('key expected');
        for (const r of rows.rows) expect(openRecord(new Uint8Array(r.sealed), k.dataKey)).toBeUndefined();
      }
      // Sanity: the destroyed key did open them (so the check above is meaningful).
      const r0 = rows.rows[0];
      if (!r0) throw new Error('row expected');
      expect(openRecord(new Uint8Array(r0.sealed), oldData)).toBeDefined();
      const counts = await store.counts(['131016', '271004']);
      expect(counts[0]?.shredded).toBe(true);
      expect(
        (await store.find('271004', fixtures.find((f) => f.municipality === '271004')?.myNumber ?? '')).ok,
      ).toBe(true);
    });

    it('keeps a shredded municipality shredded when its tombstone is deleted (the database is the authority)', async () => {
      unlinkSync(join(dir, 'keys', '131016.shredded'));
      // A restart: fresh key store and store over the same folder and database.
      const fresh = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
      expect(fresh.isShredded('131016')).toBe(true);
      expect(await fresh.find('131016', taro.myNumber)).toMatchObject({
        ok: false,
        code: 'VRS_DATA_SHREDDED',
      });
      expect(readdirSync(join(dir, 'keys'))).not.toContain('131016.json');
      // Seeding it again is a coded refusal, not a crash and not a new key.
      await expect(
        seedStore(fresh, { perMunicipality: 5, seed: 'again', municipalities: ['131016'] }),
      ).rejects.toMatchObject({ code: 'VRS_DATA_SHREDDED' });
      // Seeding "all" leaves it out and says so.
      const r = await seedStore(fresh, { perMunicipality: 5, seed: 'unit' });
      expect(r.refused).toContainEqual({ municipality: '131016', code: 'VRS_DATA_SHREDDED' });
      expect(readdirSync(join(dir, 'keys'))).toContain('131016.shredded');
      expect(readdirSync(join(dir, 'keys'))).not.toContain('131016.json');
    });

    it('refuses and alerts when a key file of a municipality with records is deleted or swapped; never a new key', async () => {
      const hanako = mustFind(
        fixtures.find((f) => f.municipality === '271004' && !/no vaccination/i.test(f.notes)),
        'fixture resident in 271004',
      );
      const keyFile = join(dir, 'keys', '271004.json');
      const saved = join(dir, '271004.json.bak');
      copyFileSync(keyFile, saved);
      unlinkSync(keyFile);
      alerts.length = 0;
      const fresh = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')), {
        alert: (kind, text) => alerts.push(`${kind} ${text}`),
      });
      expect(await fresh.find('271004', hanako.myNumber)).toMatchObject({
        ok: false,
        code: 'VRS_KEY_UNAVAILABLE',
      });
      await expect(fresh.ensureMunicipality('271004')).rejects.toMatchObject({ code: 'VRS_KEY_UNAVAILABLE' });
      expect(readdirSync(join(dir, 'keys'))).not.toContain('271004.json');
      expect(alerts.some((a) => a.startsWith('key-missing municipality=271004'))).toBe(true);
      // Another municipality's key file put in its place is not the key on record.
      copyFileSync(join(dir, 'keys', '131041.json'), keyFile);
      const text = readFileSync(keyFile, 'utf8').replace('"131041"', '"271004"');
      rmSync(keyFile);
      writeFileSync(keyFile, text, { mode: 0o600 });
      const swapped = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')), {
        alert: (kind, t) => alerts.push(`${kind} ${t}`),
      });
      expect(await swapped.find('271004', hanako.myNumber)).toMatchObject({
        ok: false,
        code: 'VRS_KEY_UNAVAILABLE',
      });
      expect(alerts.some((a) => a.startsWith('key-mismatch municipality=271004'))).toBe(true);
      // The backup restored: served again.
      rmSync(keyFile);
      copyFileSync(saved, keyFile);
      const restored = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
      expect((await restored.find('271004', hanako.myNumber)).ok).toBe(true);
    });

    it('destroys a key file restored for a shredded municipality, and alerts', async () => {
      // 131016 was shredded above: a "backup" key file appears again.
      writeFileSync(
        join(dir, 'keys', '131016.json'),
        JSON.stringify({
          v: 1,
          municipality: '131016',
          masterKey: Buffer.alloc(32, 7).toString('base64'),
          createdAt: 'x',
        }),
        { mode: 0o600 },
      );
      alerts.length = 0;
      const fresh = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')), {
        alert: (kind, text) => alerts.push(`${kind} ${text}`),
      });
      expect(await fresh.find('131016', taro.myNumber)).toMatchObject({
        ok: false,
        code: 'VRS_DATA_SHREDDED',
      });
      expect(readdirSync(join(dir, 'keys'))).not.toContain('131016.json');
      expect(alerts.some((a) => a.startsWith('shredded-key-present'))).toBe(true);
    });
  });
}

storeSuite('PGlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vrs-store-'));
  return { db: await openDb({ dataDir: join(dir, 'db') }), dir };
});

const pgSkip = postgresUnavailableReason();
describe.skipIf(pgSkip !== undefined)(`PostgreSQL server${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  let server: TestPostgres | undefined;
  let url = '';
  beforeAll(async () => {
    server = await startTestPostgres();
    url = await createTestDatabase(server.url, 'vrs_store_test');
  });
  afterAll(async () => {
    await server?.stop();
  });
  storeSuite('PostgreSQL', async () => ({
    db: await openDb({ url }),
    dir: mkdtempSync(join(tmpdir(), 'vrs-store-pg-')),
  }));
});

describe('PGlite files at rest', () => {
  it('hold no plaintext name, kana, address or My Number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrs-raw-'));
    try {
      const db = await openDb({ dataDir: join(dir, 'db') });
      const store = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
      await seedStore(store, { perMunicipality: 200, seed: 'raw', municipalities: ['131016', '141003'] });
      await db.exec('CHECKPOINT');
      await db.close();
      const gen = new ResidentGenerator('raw', '141003');
      const secrets = [
        ...fixtures
          .filter((f) => ['131016', '141003'].includes(f.municipality))
          .flatMap((f) => [f.myNumber, f.name, f.nameKana, f.address, f.nameRomaji]),
        ...[0, 1, 199].flatMap((i) => [gen.myNumber(i), gen.resident(i).address]),
        fixtureRecord(taro, 'raw').doses[0]?.lot ?? 'lot',
      ];
      const files = allFiles(join(dir, 'db'));
      expect(files.length).toBeGreaterThan(10);
      const blobs = files.map((f) => readFileSync(f));
      // The probe works: the table name is there in clear.
      expect(blobs.some((b) => b.includes(Buffer.from('vrs_resident_141003')))).toBe(true);
      for (const s of secrets) for (const b of blobs) expect(b.includes(Buffer.from(s, 'utf8'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
