/**
 * The kana index of a list (あ か さ た な は ま や ら わ): the row (行) of the first kana of a reading, voiced
 * and small kana filed with their plain row, as in a printed 五十音 index.
 */
export const KANA_ROWS = ['あ', 'か', 'さ', 'た', 'な', 'は', 'ま', 'や', 'ら', 'わ'] as const;
export type KanaRow = (typeof KANA_ROWS)[number];

const ROW_CHARS: Record<KanaRow, string> = {
  あ: 'ぁあぃいぅうゔぇえぉお',
  か: 'かがきぎくぐけげこご',
  さ: 'さざしじすずせぜそぞ',
  た: 'ただちぢっつづてでとど',
  な: 'なにぬねの',
  は: 'はばぱひびぴふぶぷへべぺほぼぽ',
  ま: 'まみむめも',
  や: 'ゃやゅゆょよ',
  ら: 'らりるれろ',
  わ: 'ゎわゐゑをん',
};

/** The row of a hiragana reading's first character; throws on a reading that does not start with hiragana. */
export function kanaRow(reading: string): KanaRow {
  const first = reading.charAt(0);
  for (const row of KANA_ROWS) if (ROW_CHARS[row].includes(first)) return row;
  throw new TypeError('reading: must start with hiragana');
}
