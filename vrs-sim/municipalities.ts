/**
 * The municipalities taking part in the stand-in (public data: 全国地方公共団体コード, names, prefecture).
 * The sixth digit of each code is its check digit (see `municipalityCheckDigit`).
 */
export interface Municipality {
  /** 6-digit 全国地方公共団体コード. */
  readonly code: string;
  readonly name: string;
  readonly nameEn: string;
  /** 2-digit prefecture code (JIS X 0401). */
  readonly prefecture: string;
}

export interface Prefecture {
  readonly code: string;
  readonly name: string;
  readonly nameEn: string;
}

export const PREFECTURES: readonly Prefecture[] = [
  { code: '01', name: '北海道', nameEn: 'Hokkaido' },
  { code: '04', name: '宮城県', nameEn: 'Miyagi' },
  { code: '11', name: '埼玉県', nameEn: 'Saitama' },
  { code: '13', name: '東京都', nameEn: 'Tokyo' },
  { code: '14', name: '神奈川県', nameEn: 'Kanagawa' },
  { code: '18', name: '福井県', nameEn: 'Fukui' },
  { code: '20', name: '長野県', nameEn: 'Nagano' },
  { code: '22', name: '静岡県', nameEn: 'Shizuoka' },
  { code: '23', name: '愛知県', nameEn: 'Aichi' },
  { code: '26', name: '京都府', nameEn: 'Kyoto' },
  { code: '27', name: '大阪府', nameEn: 'Osaka' },
  { code: '28', name: '兵庫県', nameEn: 'Hyogo' },
  { code: '34', name: '広島県', nameEn: 'Hiroshima' },
  { code: '36', name: '徳島県', nameEn: 'Tokushima' },
  { code: '40', name: '福岡県', nameEn: 'Fukuoka' },
  { code: '47', name: '沖縄県', nameEn: 'Okinawa' },
];

export const MUNICIPALITIES: readonly Municipality[] = [
  { code: '011002', name: '札幌市', nameEn: 'Sapporo', prefecture: '01' },
  { code: '041009', name: '仙台市', nameEn: 'Sendai', prefecture: '04' },
  { code: '112038', name: '川口市', nameEn: 'Kawaguchi', prefecture: '11' },
  { code: '131016', name: '千代田区', nameEn: 'Chiyoda', prefecture: '13' },
  { code: '131041', name: '新宿区', nameEn: 'Shinjuku', prefecture: '13' },
  { code: '131130', name: '渋谷区', nameEn: 'Shibuya', prefecture: '13' },
  { code: '141003', name: '横浜市', nameEn: 'Yokohama', prefecture: '14' },
  { code: '182079', name: '鯖江市', nameEn: 'Sabae', prefecture: '18' },
  { code: '202151', name: '塩尻市', nameEn: 'Shiojiri', prefecture: '20' },
  { code: '221309', name: '浜松市', nameEn: 'Hamamatsu', prefecture: '22' },
  { code: '231002', name: '名古屋市', nameEn: 'Nagoya', prefecture: '23' },
  { code: '261009', name: '京都市', nameEn: 'Kyoto', prefecture: '26' },
  { code: '271004', name: '大阪市', nameEn: 'Osaka', prefecture: '27' },
  { code: '282201', name: '加西市', nameEn: 'Kasai', prefecture: '28' },
  { code: '341002', name: '広島市', nameEn: 'Hiroshima', prefecture: '34' },
  { code: '362018', name: '徳島市', nameEn: 'Tokushima', prefecture: '36' },
  { code: '401307', name: '福岡市', nameEn: 'Fukuoka', prefecture: '40' },
  { code: '402133', name: '行橋市', nameEn: 'Yukuhashi', prefecture: '40' },
  { code: '402168', name: '筑後市', nameEn: 'Chikugo', prefecture: '40' },
  { code: '472018', name: '那覇市', nameEn: 'Naha', prefecture: '47' },
];

const BY_CODE = new Map(MUNICIPALITIES.map((m) => [m.code, m]));
const PREF_BY_CODE = new Map(PREFECTURES.map((p) => [p.code, p]));

export function findMunicipality(code: string): Municipality | undefined {
  return BY_CODE.get(code);
}

export function findPrefecture(code: string): Prefecture | undefined {
  return PREF_BY_CODE.get(code);
}

/** The municipalities of one prefecture. */
export function municipalitiesOf(prefecture: string): Municipality[] {
  return MUNICIPALITIES.filter((m) => m.prefecture === prefecture);
}

/**
 * Check digit of a local-government code (総務省): weights 6,5,4,3,2 over the first five digits;
 * digit = (11 − sum mod 11) mod 10. Throws on a malformed argument.
 */
export function municipalityCheckDigit(firstFive: string): string {
  if (!/^\d{5}$/.test(firstFive)) throw new TypeError('firstFive: five digits expected');
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += Number(firstFive[i]) * (6 - i);
  return String((11 - (sum % 11)) % 10);
}
