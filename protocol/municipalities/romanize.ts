import { toRomaji } from 'wanakana';

/**
 * Hepburn romanisation of a hiragana reading as Japanese place names are written in English (road signs,
 * the municipalities' own pages): `wanakana` does the kana → Hepburn step; long vowels are then written
 * without macrons (とうきょう → Tokyo, ほっかいどう → Hokkaido, a leading おお: おおいた → Oita; a doubled o inside a
 * name is usually two words and stays: とよおか → Toyooka) and the apostrophe after ん is dropped
 * (かんおんじ → Kanonji), as those names are usually spelled.
 */
export function romanizeReading(kana: string): string {
  if (typeof kana !== 'string' || !/^[\u3041-\u3096\u30fc]+$/.test(kana))
    throw new TypeError('kana: hiragana reading expected');
  const plain = toRomaji(kana).replace(/'/g, '').replace(/ou/g, 'o').replace(/^oo/, 'o').replace(/uu/g, 'u');
  return plain.charAt(0).toUpperCase() + plain.slice(1);
}
