import { Parser, jaModel } from 'budoux';
import { beforeAll, describe, expect, it } from 'vitest';
import { preloadCertificateFonts } from './fonts.js';
import { wrapText } from './text.js';

const phrases = (s: string) => new Parser(jaModel).parse(s);

/** The offsets where a line may end without breaking a phrase. */
function boundaries(s: string): Set<number> {
  const out = new Set<number>();
  let at = 0;
  for (const p of phrases(s)) out.add((at += p.length));
  return out;
}

describe('certificate text: Japanese line breaks', () => {
  beforeAll(async () => {
    await preloadCertificateFonts();
  });

  it.each([
    '新型コロナウイルス感染症予防接種証明書は、接種を受けたときにお住まいだった市区町村が発行します',
    '海外用及び日本国内用の証明書には、旅券番号と国籍・地域が印刷されます。お取り忘れにご注意ください',
    '東京都千代田区長 日本国厚生労働大臣',
  ])('breaks "%s" only between phrases', (text) => {
    const ends = boundaries(text);
    for (const width of [220, 260, 300]) {
      const lines = wrapText(text, { size: 10 }, { width, maxLines: 20, field: 'test' });
      expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      let at = 0;
      for (const line of lines.slice(0, -1)) {
        at = text.indexOf(line, at) + line.length;
        // A line may end at a phrase boundary, or where a space separates two parts.
        expect(ends.has(at) || text[at] === ' ', `${width}pt: "${line}" ends inside a phrase`).toBe(true);
      }
    }
  });

  it('still splits a phrase wider than its whole box', () => {
    const lines = wrapText('千代田区', { size: 10 }, { width: 22, maxLines: 4, field: 'test' });
    expect(lines.join('')).toBe('千代田区');
    expect(lines.length).toBeGreaterThan(1);
  });
});
