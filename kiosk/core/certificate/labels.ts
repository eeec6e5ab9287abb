import type { CertType } from '../../../protocol/index.js';

/**
 * Fixed wording of the two templates. The certificate's language is set by its template (Japanese with
 * English labels), never by the kiosk's display language.
 */
export interface TemplateText {
  readonly titleJa: string;
  readonly titleEn: string;
  readonly kindJa: string;
  readonly kindEn: string;
}

export const TEMPLATE_TEXT: Record<CertType, TemplateText> = {
  domestic: {
    titleJa: '新型コロナウイルス感染症予防接種証明書',
    titleEn: 'Vaccination Certificate for COVID-19',
    kindJa: '日本国内用',
    kindEn: 'For use in Japan',
  },
  overseas: {
    titleJa: '新型コロナウイルス感染症予防接種証明書',
    titleEn: 'Vaccination Certificate for COVID-19',
    kindJa: '海外用及び日本国内用',
    kindEn: 'For international and domestic use',
  },
};

export const LABEL = {
  certificateId: ['証明書ID', 'Certificate ID'],
  issuedAt: ['証明書発行日', 'Date of issue'],
  person: ['接種者に関する事項', 'Vaccinated person'],
  name: ['氏名', 'Name'],
  nameKanji: ['氏名（漢字）', 'Name (Kanji)'],
  nameRomaji: ['氏名（ローマ字）', 'Name (Roman letters)'],
  birthDate: ['生年月日', 'Date of birth'],
  nationality: ['国籍・地域', 'Nationality / Region'],
  passport: ['旅券番号', 'Passport No.'],
  records: ['接種記録', 'Vaccination records'],
  seq: ['回数', 'Dose'],
  date: ['接種年月日', 'Date'],
  vaccineType: ['ワクチンの種類', 'Vaccine type'],
  manufacturer: ['メーカー名', 'Manufacturer'],
  product: ['製品名', 'Product'],
  lot: ['ロット番号', 'Lot No.'],
  country: ['接種国', 'Country'],
  shc: ['SMART Health Card', 'SMART Health Card'],
  vdsNc: ['ICAO VDS-NC', 'ICAO VDS-NC'],
} as const satisfies Record<string, readonly [string, string]>;

export const ATTESTATION = {
  ja: '上記のとおり、新型コロナウイルス感染症の予防接種を行ったことを証明します。',
  en: 'This is to certify that the above person has been vaccinated against COVID-19 as stated above.',
} as const;

/** The second issuer line, after the mayor's. */
export const MINISTER = {
  ja: '日本国厚生労働大臣',
  en: 'Minister of Health, Labour and Welfare of Japan',
} as const;

export const QR_NOTE = {
  ja: '二次元コードの電子署名により内容の真正性を確認できます。背景の地紋は複写を見分けるための表示であり、真正性の証明ではありません。',
  en: 'The digital signature in the QR code(s) proves authenticity. The background pattern only helps to tell copies apart; it does not prove authenticity.',
} as const;

/** "2021-06-01" → "2021年6月1日". */
export function japaneseDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${y ?? ''}年${Number(m)}月${Number(d)}日`;
}

/** "2021-06-01" → "01 JUN 2021" (the passport style, unambiguous in every language). */
export function englishDate(iso: string): string {
  const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  const [y, m, d] = iso.split('-');
  return `${d ?? ''} ${months[Number(m) - 1] ?? ''} ${y ?? ''}`;
}
