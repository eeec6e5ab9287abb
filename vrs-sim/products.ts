/**
 * Vaccine products that can appear on a certificate (docs/reference.md §2.1, Digital Agency FAQ A6-3) with the CVX
 * code put in the SMART Health Card. CVX for the original products is confirmed (207, 208, 210, 211, 212);
 * the codes for the paediatric and Omicron-bivalent products follow the CDC table and are an assumption
 * (docs/reference.md §2.2: which codes Japan used is unconfirmed).
 */
export interface VaccineProduct {
  readonly id: ProductId;
  readonly name: string;
  readonly nameEn: string;
  readonly manufacturer: string;
  readonly manufacturerEn: string;
  readonly cvx: string;
  /** ワクチンの種類 as the app showed it. */
  readonly kind: string;
  /** ICD-11 code of the vaccine type (VDS-NC `des`). */
  readonly icd11: string;
  /** How this maker's lot numbers look ('A' = letter, '9' = digit). */
  readonly lotPattern: string;
}

export const PRODUCT_IDS = [
  'comirnaty',
  'comirnaty-ba1',
  'comirnaty-ba45',
  'comirnaty-5to11',
  'comirnaty-6mto4',
  'spikevax',
  'spikevax-ba1',
  'spikevax-ba45',
  'nuvaxovid',
  'vaxzevria',
  'jcovden',
] as const;

export type ProductId = (typeof PRODUCT_IDS)[number];

const PFIZER = {
  manufacturer: 'ファイザー社',
  manufacturerEn: 'Pfizer',
  kind: 'COVID-19 mRNA',
  icd11: 'XM68M6',
};
const MODERNA = {
  manufacturer: 'モデルナ社',
  manufacturerEn: 'Moderna',
  kind: 'COVID-19 mRNA',
  icd11: 'XM68M6',
};

export const PRODUCTS: Readonly<Record<ProductId, VaccineProduct>> = {
  comirnaty: {
    id: 'comirnaty',
    name: 'コミナティ',
    nameEn: 'Comirnaty',
    cvx: '208',
    lotPattern: 'AA9999',
    ...PFIZER,
  },
  'comirnaty-ba1': {
    id: 'comirnaty-ba1',
    name: 'コミナティ(BA.1)',
    nameEn: 'Comirnaty (BA.1)',
    cvx: '300',
    lotPattern: 'AA9999',
    ...PFIZER,
  },
  'comirnaty-ba45': {
    id: 'comirnaty-ba45',
    name: 'コミナティ(BA.4-5)',
    nameEn: 'Comirnaty (BA.4-5)',
    cvx: '300',
    lotPattern: 'AA9999',
    ...PFIZER,
  },
  'comirnaty-5to11': {
    id: 'comirnaty-5to11',
    name: 'コミナティ(5から11歳用)',
    nameEn: 'Comirnaty (ages 5-11)',
    cvx: '218',
    lotPattern: 'AA9999',
    ...PFIZER,
  },
  'comirnaty-6mto4': {
    id: 'comirnaty-6mto4',
    name: 'コミナティ(6ヵ月から4歳用)',
    nameEn: 'Comirnaty (ages 6 months-4)',
    cvx: '219',
    lotPattern: 'AA9999',
    ...PFIZER,
  },
  spikevax: {
    id: 'spikevax',
    name: 'スパイクバックス',
    nameEn: 'Spikevax',
    cvx: '207',
    lotPattern: '9999999',
    ...MODERNA,
  },
  'spikevax-ba1': {
    id: 'spikevax-ba1',
    name: 'スパイクバックス(BA.1)',
    nameEn: 'Spikevax (BA.1)',
    cvx: '229',
    lotPattern: '999999A',
    ...MODERNA,
  },
  'spikevax-ba45': {
    id: 'spikevax-ba45',
    name: 'スパイクバックス(BA.4-5)',
    nameEn: 'Spikevax (BA.4-5)',
    cvx: '229',
    lotPattern: '999999A',
    ...MODERNA,
  },
  nuvaxovid: {
    id: 'nuvaxovid',
    name: 'ヌバキソビッド',
    nameEn: 'Nuvaxovid',
    manufacturer: '武田(ノババックス)社',
    manufacturerEn: 'Takeda (Novavax)',
    cvx: '211',
    kind: 'COVID-19 protein subunit',
    icd11: 'XM5JC5',
    lotPattern: '9999999',
  },
  vaxzevria: {
    id: 'vaxzevria',
    name: 'バキスゼブリア',
    nameEn: 'Vaxzevria',
    manufacturer: 'アストラゼネカ社',
    manufacturerEn: 'AstraZeneca',
    cvx: '210',
    kind: 'COVID-19 viral vector',
    icd11: 'XM97T2',
    lotPattern: 'AAA9999',
  },
  jcovden: {
    id: 'jcovden',
    name: 'ジェコビデン',
    nameEn: 'Jcovden',
    manufacturer: 'ヤンセンファーマ社',
    manufacturerEn: 'Janssen',
    cvx: '212',
    kind: 'COVID-19 viral vector',
    icd11: 'XM97T2',
    lotPattern: 'AA999',
  },
};
