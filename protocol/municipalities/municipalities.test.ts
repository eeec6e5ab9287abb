import { describe, expect, it } from 'vitest';
import {
  KANA_ROWS,
  MUNICIPALITIES,
  PREFECTURES,
  REGIONS,
  findMunicipality,
  kanaRow,
  municipalitiesOf,
  municipalityCheckDigit,
  municipalityLabel,
  regionOf,
  romanizeReading,
} from './index.js';

describe('municipalities of Japan', () => {
  it('lists all 1,741: 792 cities, 743 towns, 183 villages and the 23 special wards, in 47 prefectures', () => {
    expect(MUNICIPALITIES).toHaveLength(1741);
    const kinds: Record<string, number> = {};
    for (const m of MUNICIPALITIES) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
    expect(kinds).toEqual({ city: 792, town: 743, village: 183, ward: 23 });
    expect(PREFECTURES).toHaveLength(47);
    expect(municipalitiesOf('13').filter((m) => m.kind === 'ward')).toHaveLength(23);
    for (const p of PREFECTURES) expect(municipalitiesOf(p.code).length).toBeGreaterThan(0);
    expect(new Set(MUNICIPALITIES.map((m) => m.code)).size).toBe(1741);
  });

  it('has valid codes, hiragana readings and English names for every one', () => {
    for (const m of MUNICIPALITIES) {
      expect(municipalityCheckDigit(m.code.slice(0, 5))).toBe(m.code[5]);
      expect(m.code.slice(0, 2)).toBe(m.prefecture);
      expect(m.kana).toMatch(/^[\u3041-\u3096\u30fc]+$/);
      expect(m.nameEn).toMatch(/^[A-Z][a-z]+ (City|Town|Village)$/);
      expect(KANA_ROWS).toContain(m.row);
    }
  });

  it('leaves out the Northern Territories villages and the wards of designated cities', () => {
    expect(findMunicipality('016951')).toBeUndefined();
    expect(findMunicipality('011011')).toBeUndefined(); // 札幌市中央区
    expect(findMunicipality('011002')?.name).toBe('札幌市');
  });

  it('writes names as readers expect: 東京都千代田区 / "Chiyoda City, Tokyo"', () => {
    expect(municipalityLabel('131016', 'ja')).toBe('東京都千代田区');
    expect(municipalityLabel('131016', 'en')).toBe('Chiyoda City, Tokyo');
    expect(municipalityLabel('013951', 'en')).toBe('Niseko Town, Hokkaido');
    expect(municipalityLabel('999999', 'en')).toBe('999999');
    expect(PREFECTURES.map((p) => p.nameEn)).toContain('Hyogo');
  });

  it('romanises readings in Hepburn without macrons', () => {
    expect(romanizeReading('とうきょう')).toBe('Tokyo');
    expect(romanizeReading('おおいた')).toBe('Oita');
    expect(romanizeReading('とよおか')).toBe('Toyooka');
    expect(romanizeReading('かんおんじ')).toBe('Kanonji');
    expect(romanizeReading('さっぽろ')).toBe('Sapporo');
    expect(() => romanizeReading('東京')).toThrow(TypeError);
  });

  it('files readings under their kana row, voiced kana with the plain row', () => {
    expect(kanaRow('がまごおり')).toBe('か');
    expect(kanaRow('ぱ')).toBe('は');
    expect(kanaRow('わっかない')).toBe('わ');
    expect(() => kanaRow('A')).toThrow(TypeError);
  });

  it('groups the 47 prefectures into six rows of regions, north to south', () => {
    expect(REGIONS.reduce((n, r) => n + r.to - r.from + 1, 0)).toBe(47);
    expect(regionOf('13').id).toBe('kanto');
    expect(() => regionOf('48')).toThrow(TypeError);
  });
});
