import fc from 'fast-check';
import type { IssuedBody } from '../../../../protocol/index.js';

/** Kanji BIZ UDGothic has (JIS level 1–2, and rarer ones from its slices: 髙 﨑 澤 齋). */
const KANJI = [
  ...'試験見本架空太郎花子東京都千代田区大阪市北横浜中寿限無五劫擦切海砂利水魚行末雲来風食寝処住藪柑子髙﨑澤齋沢斎一二三四五六七八九十百千万円年月日本国外用接種証明書',
];
const cjk = fc.constantFrom(...KANJI);
const kana = fc.integer({ min: 0x30a1, max: 0x30f6 }).map((c) => String.fromCodePoint(c));
const word = fc.stringMatching(/^[A-Z]{1,12} ?$/);
const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });

function textOf(unit: fc.Arbitrary<string>, min: number, max: number): fc.Arbitrary<string> {
  return fc
    .array(unit, { minLength: min, maxLength: max })
    .map((parts) => [...parts.join('')].slice(0, max).join(''))
    .filter((s) => s.length >= min);
}

/** Printable text a peer could put in a field: kanji, katakana, Latin words, spaces; up to `max` long. */
export function arbText(min: number, max: number): fc.Arbitrary<string> {
  const printable = fc.oneof(
    { weight: 4, arbitrary: cjk },
    { weight: 2, arbitrary: kana },
    { weight: 2, arbitrary: word },
  );
  return textOf(printable, min, max);
}

/** Text with any code point mixed in (controls, emoji, unpaired surrogates, private use). */
export function arbWildText(min: number, max: number): fc.Arbitrary<string> {
  return textOf(fc.oneof(cjk, word, anyCodePoint), min, max);
}

/**
 * An issued answer with arbitrary text in every printed field (schema limits kept) around a real SHC;
 * in one answer of four, one person field carries arbitrary code points.
 */
export function arbIssuedBody(base: IssuedBody): fc.Arbitrary<IssuedBody> {
  const dose = (seq: number) =>
    fc.record({
      seq: fc.constant(seq),
      date: fc.constant('2022-01-15'),
      vaccineType: arbText(0, 64),
      manufacturer: arbText(0, 64),
      manufacturerEn: arbText(0, 64),
      product: arbText(0, 64),
      productEn: arbText(0, 64),
      lot: arbText(0, 20),
      cvx: fc.constant('208'),
      country: fc.constantFrom('JPN', 'USA', 'ÅÅÅ'),
    });
  return fc
    .record({
      certType: fc.constantFrom('domestic' as const, 'overseas' as const),
      certificateId: arbText(1, 64),
      issuer: fc.record({ ja: arbText(0, 64), en: arbText(0, 128) }),
      person: fc.record({
        name: arbText(1, 128),
        nameRomaji: arbText(1, 128),
        birthDate: fc.constant('1980-04-01'),
        nationality: arbText(1, 64),
        passportNumber: arbText(1, 20),
      }),
      n: fc.integer({ min: 1, max: 7 }),
      wild: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        {
          weight: 1,
          arbitrary: fc.record({
            field: fc.constantFrom('name', 'nameRomaji', 'passportNumber'),
            text: arbWildText(1, 20),
          }),
        },
      ),
    })
    .chain((r) =>
      fc.tuple(...Array.from({ length: r.n }, (_, i) => dose(i + 1))).map((doses) => ({
        ...base,
        certType: r.certType,
        certificateId: r.certificateId,
        issuer: r.issuer,
        person: r.wild === null ? r.person : { ...r.person, [r.wild.field]: r.wild.text },
        doses,
        ...(r.certType === 'overseas' ? { vdsNc: base.vdsNc ?? { data: {}, sig: {} } } : {}),
      })),
    );
}
