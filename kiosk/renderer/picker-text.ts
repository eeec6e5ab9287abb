import type { Lang } from './i18n.js';

/** Texts of the municipality picker, in Japanese and English. */
export const PICKER_TEXT = {
  ja: {
    choosePrefecture: 'まず、都道府県を選んでください',
    prefectures: '都道府県',
    chooseIn: (prefecture: string) => `${prefecture}の市区町村を選んでください`,
    index: '読みの頭文字',
    indexTab: (row: string) => `${row}行`,
    back: '都道府県を選び直す',
    previous: '前のページ',
    next: '次のページ',
    page: (i: number, n: number) => `${i}／${n}ページ`,
    none: 'この都道府県では現在ご利用いただけません',
  },
  en: {
    choosePrefecture: 'First, choose the prefecture',
    prefectures: 'Prefectures',
    chooseIn: (prefecture: string) => `Choose your municipality in ${prefecture}`,
    index: 'First letter',
    indexTab: (letter: string) => `Names starting with ${letter}`,
    back: 'Choose another prefecture',
    previous: 'Previous page',
    next: 'Next page',
    page: (i: number, n: number) => `Page ${i} of ${n}`,
    none: 'Not available in this prefecture at the moment',
  },
} as const satisfies Record<Lang, unknown>;
