import { describe, expect, it } from 'vitest';
import { isValidMyNumber } from '../../protocol/mynumber.js';
import { MUNICIPALITIES, municipalityCheckDigit } from '../municipalities.js';
import { PRODUCTS } from '../products.js';
import { ResidentRecordSchema } from '../record.js';
import { fixtureRecord, hasNoRecords, loadFixtures } from './fixtures.js';
import { ResidentGenerator } from './generate.js';

describe('seed generator', () => {
  it('is deterministic from the seed and differs between seeds', () => {
    const a = new ResidentGenerator(42, '131016');
    const b = new ResidentGenerator(42, '131016');
    const c = new ResidentGenerator(43, '131016');
    for (let i = 0; i < 50; i++) expect(a.resident(i)).toEqual(b.resident(i));
    expect(a.resident(0)).not.toEqual(c.resident(0));
  });

  it('makes valid, unique My Numbers across municipalities', () => {
    const seen = new Set<string>();
    for (const m of MUNICIPALITIES.slice(0, 4)) {
      const g = new ResidentGenerator('s', m.code);
      for (let i = 0; i < 2000; i++) {
        const n = g.myNumber(i);
        expect(isValidMyNumber(n)).toBe(true);
        seen.add(n);
      }
    }
    expect(seen.size).toBe(8000);
  });

  it('makes records that satisfy the schema, with 1–7 doses, real products, and some passports', () => {
    const g = new ResidentGenerator(7, '271004');
    const counts = new Set<number>();
    let passports = 0;
    for (let i = 0; i < 2000; i++) {
      const r = ResidentRecordSchema.parse(g.resident(i));
      expect(r.doses.length).toBeGreaterThanOrEqual(1);
      expect(r.doses.length).toBeLessThanOrEqual(7);
      counts.add(r.doses.length);
      for (const [k, d] of r.doses.entries()) {
        expect(d.seq).toBe(k + 1);
        expect(PRODUCTS[d.product]).toBeDefined();
        expect(d.date >= '2021-02-17' && d.date <= '2024-03-31').toBe(true);
        if (k > 0) expect(d.date > (r.doses[k - 1]?.date ?? '')).toBe(true);
      }
      expect(r.name).toMatch(/^\p{Script=Han}+ \p{Script=Han}+$/u);
      expect(r.nameKana).toMatch(/^\p{Script=Katakana}+ \p{Script=Katakana}+$/u);
      expect(r.nameRomaji).toMatch(/^[A-Z]+ [A-Z]+$/);
      expect(r.address.startsWith('大阪府大阪市')).toBe(true);
      if (r.passport) passports++;
    }
    expect([...counts].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(passports).toBeGreaterThan(100);
    expect(passports).toBeLessThan(400);
  });

  it('lists real municipality codes with valid check digits', () => {
    for (const m of MUNICIPALITIES) expect(municipalityCheckDigit(m.code.slice(0, 5))).toBe(m.code[5]);
    expect(() => municipalityCheckDigit('1310')).toThrow(TypeError);
  });

  it('covers every fixture resident with a participating municipality, and one without records', () => {
    const fixtures = loadFixtures();
    expect(fixtures.filter(hasNoRecords)).toHaveLength(1);
    for (const f of fixtures) {
      expect(MUNICIPALITIES.some((m) => m.code === f.municipality)).toBe(true);
      const r = ResidentRecordSchema.parse(fixtureRecord(f, 1));
      expect(r.myNumber).toBe(f.myNumber);
    }
    const long = fixtures.find((f) => f.id === 'longname');
    if (long) expect(fixtureRecord(long, 1).doses).toHaveLength(7);
  });
});
