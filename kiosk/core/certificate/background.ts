import type { FontkitFont } from 'fontkit';
import { primaryFont } from './fonts.js';
import { setText, type Doc } from './text.js';

/**
 * The anti-copy background printed under every certificate page.
 *
 * What it is: a VISUAL DETERRENT, not a security feature. The certificate's authenticity rests only on the
 * signed QR codes (SHC and VDS-NC), which a verifier checks against the issuer's keys. The background makes
 * a casual photocopy or a re-typed forgery look different from an original:
 * - guilloche: fine interlaced rosette and wave lines (0.3 pt, light tint) that copiers and scanners blur;
 * - microtext: a 1.6 pt line of text along the border that becomes a grey line on a copy;
 * - a "COPY" latent image in the style of a void pantograph: the words are filled with coarse dots and the
 *   area around them with fine dots of the same average tint, so they are hard to see on the original; a
 *   copier tends to drop the fine dots and keep the coarse ones, so "COPY" shows on the copy.
 * How well the latent image works depends on the printer and the copier; nothing here has been tested
 * against a real photocopier.
 */
export const BACKGROUND_TINT = '#8fb0cc';
const GUILLOCHE_TINT = '#bcd4e8';
const MICROTEXT =
  '新型コロナウイルス感染症予防接種証明書 VACCINATION CERTIFICATE FOR COVID-19 JAPAN 日本国 厚生労働省 MHLW ';

/** Fine dots (0.3 pt every 1.2 pt) and coarse dots (0.6 pt every 2.4 pt): both cover 6.25 %. */
function dotPattern(doc: Doc, dot: number, step: number): PDFKit.PDFTilingPattern {
  return doc.pattern([0, 0, step, step], step, step, `0 0 ${dot} ${dot} re f`);
}

/** Outline of `text` in BIZ UDGothic Bold as an SVG path in page coordinates. */
function wordOutline(
  font: FontkitFont,
  text: string,
  x: number,
  y: number,
  size: number,
  angleDeg: number,
): string {
  const scale = size / font.unitsPerEm;
  const rad = (angleDeg * Math.PI) / 180;
  const [cos, sin] = [Math.cos(rad), Math.sin(rad)];
  const layout = font.layout(text);
  let pen = 0;
  const parts: string[] = [];
  layout.glyphs.forEach((glyph, i) => {
    // font units (y up) → page points (y down), rotated about (x, y)
    const local = (gx: number, gy: number): [number, number] => {
      const px = (pen + gx) * scale;
      const py = -gy * scale;
      return [x + px * cos - py * sin, y + px * sin + py * cos];
    };
    const svg = glyph.path.toSVG();
    parts.push(
      svg.replace(/(-?[\d.]+(?:e-?\d+)?)[ ,](-?[\d.]+(?:e-?\d+)?)/g, (_m, a: string, b: string) => {
        const [px, py] = local(Number(a), Number(b));
        return `${px.toFixed(2)} ${py.toFixed(2)}`;
      }),
    );
    pen += layout.positions[i]?.xAdvance ?? glyph.advanceWidth;
  });
  return parts.join(' ');
}

function latentCopy(doc: Doc, width: number, height: number): void {
  const bold = primaryFont(700);
  const words: string[] = [];
  for (let row = 0; row < 4; row++) {
    for (let col = 0; col < 2; col++) {
      words.push(wordOutline(bold, 'COPY', 60 + col * 270, 250 + row * 190, 96, -25));
    }
  }
  const outline = words.join(' ');
  const fine = dotPattern(doc, 0.3, 1.2);
  const coarse = dotPattern(doc, 0.6, 2.4);
  doc.save();
  doc.rect(0, 0, width, height);
  doc.path(outline);
  doc.clip('even-odd');
  doc.rect(0, 0, width, height).fill([fine, BACKGROUND_TINT]);
  doc.restore();
  doc.save();
  doc.path(outline).clip('non-zero');
  doc.rect(0, 0, width, height).fill([coarse, BACKGROUND_TINT]);
  doc.restore();
}

function rosette(
  doc: Doc,
  cx: number,
  cy: number,
  big: number,
  small: number,
  pen: number,
  turns: number,
): void {
  const steps = 900;
  const k = (big - small) / small;
  for (let i = 0; i <= steps; i++) {
    const t = (i / steps) * 2 * Math.PI * turns;
    const x = cx + (big - small) * Math.cos(t) + pen * Math.cos(k * t);
    const y = cy + (big - small) * Math.sin(t) - pen * Math.sin(k * t);
    if (i === 0) doc.moveTo(x, y);
    else doc.lineTo(x, y);
  }
  doc.stroke();
}

function guilloche(doc: Doc, width: number, height: number): void {
  doc.save();
  doc.lineWidth(0.3).strokeColor(GUILLOCHE_TINT);
  rosette(doc, width / 2, height / 2, 150, 33, 60, 33);
  rosette(doc, width / 2, height / 2, 120, 21, 54, 21);
  // wave bands along the top and bottom edges
  for (const base of [28, height - 28]) {
    for (let j = 0; j < 6; j++) {
      for (let x = 20; x <= width - 20; x += 2) {
        const y = base + 7 * Math.sin(x / 18 + j * 1.05) * Math.cos(x / 97);
        if (x === 20) doc.moveTo(x, y);
        else doc.lineTo(x, y);
      }
      doc.stroke();
    }
  }
  doc.restore();
}

function microtextBorder(doc: Doc, width: number, height: number): void {
  const line = MICROTEXT.repeat(8);
  const style = { size: 1.6, color: BACKGROUND_TINT } as const;
  const box = { width: width - 60, field: 'microtext' } as const;
  const fit = (text: string) => text.slice(0, Math.floor((width - 60) / 1.6) - 2);
  setText(doc, fit(line), 30, 14, style, box);
  setText(doc, fit(line), 30, height - 16, style, box);
}

/** Paints the background of one page (call first, before any content). */
export function drawBackground(doc: Doc): void {
  const { width, height } = doc.page;
  latentCopy(doc, width, height);
  guilloche(doc, width, height);
  microtextBorder(doc, width, height);
}
