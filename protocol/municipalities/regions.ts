/**
 * The six areas the prefecture picker groups its 47 tiles by, north to south, as prefecture codes (JIS X 0401,
 * which already runs north to south): the regions (地方) of Japanese maps, with 北海道・東北 and 中国・四国 each on
 * one row as many Japanese prefecture pickers do, so the grid is six rows of at most nine.
 */
export interface Region {
  readonly id: string;
  readonly name: string;
  readonly nameEn: string;
  /** First and last 2-digit prefecture code, inclusive. */
  readonly from: number;
  readonly to: number;
}

export const REGIONS: readonly Region[] = [
  { id: 'hokkaido-tohoku', name: '北海道・東北', nameEn: 'Hokkaido & Tohoku', from: 1, to: 7 },
  { id: 'kanto', name: '関東', nameEn: 'Kanto', from: 8, to: 14 },
  { id: 'chubu', name: '中部', nameEn: 'Chubu', from: 15, to: 23 },
  { id: 'kinki', name: '近畿', nameEn: 'Kinki', from: 24, to: 30 },
  { id: 'chugoku-shikoku', name: '中国・四国', nameEn: 'Chugoku & Shikoku', from: 31, to: 39 },
  { id: 'kyushu', name: '九州・沖縄', nameEn: 'Kyushu & Okinawa', from: 40, to: 47 },
];

/** The region of a 2-digit prefecture code; throws for a code outside 01–47. */
export function regionOf(prefecture: string): Region {
  const n = Number(prefecture);
  const r = /^\d{2}$/.test(prefecture) ? REGIONS.find((x) => n >= x.from && n <= x.to) : undefined;
  if (r === undefined) throw new TypeError('prefecture: 2-digit code 01–47 expected');
  return r;
}
