import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../common/db.js';
import { loadFixtures } from './seed/fixtures.js';
import { seedStore } from './seed/seed.js';
import { parseRole, VrsService } from './service.js';
import { KeyStore } from './storage/keystore.js';
import { ResidentStore } from './storage/store.js';

const fixtures = loadFixtures();
const taro = fixtures.find((f) => f.id === 'taro');
const hanako = fixtures.find((f) => f.id === 'hanako');

describe('roles', () => {
  let dir: string;
  let db: Db;
  let service: VrsService;
  const codes = ['131016', '131041', '271004', '401307', '402133'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vrs-roles-'));
    db = await openDb();
    const store = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
    await seedStore(store, { perMunicipality: 40, seed: 'roles', municipalities: codes });
    service = new VrsService(store);
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses roles and throws on anything else', () => {
    expect(parseRole('municipality:131016')).toEqual({ kind: 'municipality', code: '131016' });
    expect(parseRole('prefecture:13')).toEqual({ kind: 'prefecture', code: '13' });
    expect(parseRole('national')).toEqual({ kind: 'national' });
    for (const bad of [
      '',
      'municipality:999999',
      'municipality:13101',
      'prefecture:99',
      'admin',
      'national:1',
    ])
      expect(() => parseRole(bad)).toThrow(TypeError);
    expect(() => parseRole(42 as unknown as string)).toThrow(TypeError);
  });

  it('lets a municipality see its own residents and nobody else’s', async () => {
    if (!taro || !hanako) throw new Error('fixtures expected');
    const chiyoda = service.as({ kind: 'municipality', code: '131016' });
    const own = await chiyoda.findResident('131016', taro.myNumber);
    expect(own.ok && own.record.name).toBe(taro.name);
    expect(await chiyoda.findResident('271004', hanako.myNumber)).toEqual({
      ok: false,
      code: 'VRS_FORBIDDEN',
    });
    expect((await chiyoda.counts()).map((c) => c.municipality)).toEqual(['131016']);
    expect(await chiyoda.countsOf('131041')).toEqual({ ok: false, code: 'VRS_FORBIDDEN' });
  });

  it('gives a prefecture and the nation aggregate counts only, never a person', async () => {
    if (!taro) throw new Error('fixtures expected');
    const tokyo = service.as({ kind: 'prefecture', code: '13' });
    const fukuoka = service.as({ kind: 'prefecture', code: '40' });
    const nation = service.as({ kind: 'national' });
    for (const v of [tokyo, fukuoka, nation])
      expect(await v.findResident('131016', taro.myNumber)).toEqual({ ok: false, code: 'VRS_FORBIDDEN' });
    expect((await tokyo.counts()).map((c) => c.municipality)).toEqual(['131016', '131041']);
    expect((await fukuoka.counts()).map((c) => c.municipality)).toEqual(['401307', '402133']);
    expect(await tokyo.countsOf('271004')).toEqual({ ok: false, code: 'VRS_FORBIDDEN' });
    const all = await nation.counts();
    expect(all.map((c) => c.municipality)).toEqual(codes);
    // Counts are numbers and codes; nothing personal is in them.
    const text = JSON.stringify(all);
    for (const f of fixtures) {
      expect(text).not.toContain(f.myNumber);
      expect(text).not.toContain(f.name);
    }
    expect(Object.keys(all[0] ?? {}).sort()).toEqual([
      'doses',
      'municipality',
      'prefecture',
      'residents',
      'residentsByDoseCount',
      'shredded',
      'suppressed',
    ]);
    // 40 residents a municipality: an aggregate role never sees a count from 1 to 9.
    for (const m of all)
      for (const n of [m.residents, m.doses, ...m.residentsByDoseCount])
        expect(n === null || n === 0 || n >= 10).toBe(true);
  });
});
