import { Parser, jaModel } from 'budoux';
import type { FontkitFont } from 'fontkit';
import { CertificateError } from './errors.js';
import { fontFor, fontKey, type FontWeight } from './fonts.js';

/** The subset of a pdfkit document the text setter uses. */
export type Doc = PDFKit.PDFDocument;

export interface TextStyle {
  /** Nominal size in points. */
  readonly size: number;
  readonly weight?: FontWeight;
  readonly color?: string;
}

export interface TextBox {
  readonly width: number;
  /** Lines allowed before the size shrinks (default 1). */
  readonly maxLines?: number;
  /** Smallest size the text may shrink to so that it fits in `maxLines` (default: `size`). */
  readonly minSize?: number;
  readonly align?: 'left' | 'center' | 'right';
  /** 'wrap' (default): keep the size, use more lines first. 'shrink': use fewer lines, shrink first. */
  readonly prefer?: 'wrap' | 'shrink';
  /** Field name used in errors (never the value). */
  readonly field: string;
}

interface Run {
  readonly font: FontkitFont;
  readonly text: string;
}

interface Token {
  readonly runs: Run[];
  /** Width at 1 pt. */
  readonly unitWidth: number;
  readonly isSpace: boolean;
}

/** Variation selectors: dropped when no font draws them (the base character is still printed). */
function isVariationSelector(cp: number): boolean {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

function widthAt1pt(font: FontkitFont, text: string): number {
  let w = 0;
  for (const p of font.layout(text).positions) w += p.xAdvance;
  return w / font.unitsPerEm;
}

/** Latin words (with their trailing space) break as a whole; every other character is its own token. */
const TOKEN = /[\p{Script=Latin}\p{Nd}'’.,:;\-/()#+&]+ ?| |./gsu;

/** Characters that must not start a line (行頭禁則): they stay with the character before them. */
const NO_BREAK_BEFORE = new Set([
  ...'、。，．,.)）」』】〕〉》・ーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ々！？!?：；',
]);

const phraseParser = new Parser(jaModel);
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]/;

/**
 * Japanese breaks only between phrases, where readers expect it (BudouX, Google's phrase segmenter, with its
 * Japanese model: 接種を|受けた|ときに…); a Japanese phrase with no space in it is one break unit. Other text
 * breaks between Latin words. A unit wider than its whole box is still split (`splitToken`).
 */
function units(text: string): string[] {
  if (!JAPANESE.test(text)) return [...text.matchAll(TOKEN)].map(([t]) => t);
  const out: string[] = [];
  for (const phrase of phraseParser.parse(text)) {
    if (JAPANESE.test(phrase) && !/\s/.test(phrase)) out.push(phrase);
    else for (const [t] of phrase.matchAll(TOKEN)) out.push(t);
  }
  return out;
}

/** Splits `text` into break units, gluing line-start-forbidden characters to the unit before them. */
function chunks(text: string): string[] {
  const out: string[] = [];
  for (const chunk of units(text)) {
    const first = [...chunk][0] ?? '';
    if (out.length > 0 && NO_BREAK_BEFORE.has(first) && chunk.trim() !== '') out[out.length - 1] += chunk;
    else out.push(chunk);
  }
  return out;
}

function tokenize(text: string, weight: FontWeight, field: string): Token[] {
  const tokens: Token[] = [];
  for (const chunk of chunks(text)) {
    const runs: Run[] = [];
    for (const ch of chunk) {
      const cp = ch.codePointAt(0) ?? 0;
      const font = fontFor(cp, weight);
      if (font === undefined) {
        if (isVariationSelector(cp)) continue;
        throw new CertificateError(
          'CERT_GLYPH_MISSING',
          `${field}: a character has no glyph in BIZ UDGothic`,
        );
      }
      const last = runs[runs.length - 1];
      if (last !== undefined && last.font === font) runs[runs.length - 1] = { font, text: last.text + ch };
      else runs.push({ font, text: ch });
    }
    if (runs.length === 0) continue;
    const unitWidth = runs.reduce((w, r) => w + widthAt1pt(r.font, r.text), 0);
    tokens.push({ runs, unitWidth, isSpace: chunk.trim() === '' });
  }
  return tokens;
}

/** A word wider than the whole box is broken between its characters. */
function splitToken(t: Token): Token[] {
  const out: Token[] = [];
  for (const r of t.runs) {
    for (const ch of r.text)
      out.push({
        runs: [{ font: r.font, text: ch }],
        unitWidth: widthAt1pt(r.font, ch),
        isSpace: ch === ' ',
      });
  }
  return out;
}

function wrap(tokens: Token[], width: number, size: number): Token[][] {
  const lines: Token[][] = [];
  let line: Token[] = [];
  let used = 0;
  for (const t of tokens.flatMap((t) =>
    t.unitWidth * size > width && t.runs.some((r) => r.text.length > 1) ? splitToken(t) : [t],
  )) {
    const w = t.unitWidth * size;
    if (line.length > 0 && used + w > width && !t.isSpace) {
      lines.push(line);
      line = [];
      used = 0;
    }
    if (line.length === 0 && t.isSpace) continue;
    line.push(t);
    used += w;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

function lineWidth(line: Token[], size: number): number {
  let end = line.length;
  while (end > 0 && line[end - 1]?.isSpace === true) end--;
  return line.slice(0, end).reduce((w, t) => w + t.unitWidth * size, 0);
}

/** One text call per font change on a line, not per character. */
function mergeRuns(line: Token[]): Run[] {
  const out: Run[] = [];
  for (const t of line) {
    for (const r of t.runs) {
      const last = out[out.length - 1];
      if (last !== undefined && last.font === r.font)
        out[out.length - 1] = { font: r.font, text: last.text + r.text };
      else out.push(r);
    }
  }
  return out;
}

const registered = new WeakMap<Doc, Set<string>>();

function useFont(doc: Doc, font: FontkitFont, weight: FontWeight, size: number): void {
  const key = fontKey(font, weight);
  let names = registered.get(doc);
  if (names === undefined) {
    names = new Set();
    registered.set(doc, names);
  }
  if (!names.has(key)) {
    // pdfkit accepts a parsed fontkit font (anything with `layout`); its types only list byte sources.
    doc.registerFont(key, font as unknown as Uint8Array);
    names.add(key);
  }
  doc.font(key).fontSize(size);
}

interface Fitted {
  readonly lines: Token[][];
  readonly size: number;
  readonly weight: FontWeight;
}

/** Wraps `text` in `box`, shrinking towards `box.minSize` until it fits `box.maxLines`. */
function fit(text: string, style: TextStyle, box: TextBox): Fitted {
  const weight = style.weight ?? 400;
  const tokens = tokenize(text, weight, box.field);
  const maxLines = box.maxLines ?? 1;
  const minSize = box.minSize ?? style.size;
  const fits = (lines: Token[][], size: number, most: number) =>
    lines.length <= most && lines.every((l) => lineWidth(l, size) <= box.width);
  // 'wrap': the nominal size on up to maxLines, shrinking only if needed. 'shrink': as few lines as
  // possible, shrinking towards minSize before taking another line (table cells keep their rows low).
  const sizes: number[] = [];
  for (let size = style.size; size > minSize; size -= 0.5) sizes.push(size);
  sizes.push(minSize);
  const lineBudgets =
    box.prefer === 'shrink' ? Array.from({ length: maxLines }, (_, i) => i + 1) : [maxLines];
  for (const most of lineBudgets) {
    for (const size of sizes) {
      const lines = wrap(tokens, box.width, size);
      if (fits(lines, size, most)) return { lines, size, weight };
    }
  }
  throw new CertificateError('CERT_INPUT_INVALID', `${box.field}: too long to print in its box`);
}

const LINE_HEIGHT = 1.3;

/** The lines `setText` would print (for tests and layout checks). Throws as `setText` does. */
export function wrapText(text: string, style: TextStyle, box: TextBox): string[] {
  return fit(text, style, box).lines.map((l) =>
    l
      .flatMap((t) => t.runs.map((r) => r.text))
      .join('')
      .trimEnd(),
  );
}

/** The height `setText` would use for `text` (points), without drawing. Throws as `setText` does. */
export function measureBox(text: string, style: TextStyle, box: TextBox): number {
  const { lines, size } = fit(text, style, box);
  return Math.max(1, lines.length) * size * LINE_HEIGHT;
}

/**
 * Sets `text` at (`x`, `y`) (top of the first line) inside `box.width`, wrapping at word or character
 * boundaries and shrinking down to `box.minSize` until it fits in `box.maxLines`. Returns the height used.
 * @throws CertificateError CERT_GLYPH_MISSING when a character has no glyph in any BIZ UDGothic file;
 *   CERT_INPUT_INVALID when the text cannot fit even at the smallest size.
 */
export function setText(
  doc: Doc,
  text: string,
  x: number,
  y: number,
  style: TextStyle,
  box: TextBox,
): number {
  const { lines, size, weight } = fit(text, style, box);
  const lineHeight = size * LINE_HEIGHT;
  doc.fillColor(style.color ?? '#000000');
  lines.forEach((line, i) => {
    const w = lineWidth(line, size);
    let cx = x;
    if (box.align === 'center') cx = x + (box.width - w) / 2;
    else if (box.align === 'right') cx = x + box.width - w;
    for (const r of mergeRuns(line)) {
      useFont(doc, r.font, weight, size);
      doc.text(r.text, cx, y + i * lineHeight, { lineBreak: false });
      cx += widthAt1pt(r.font, r.text) * size;
    }
  });
  return Math.max(1, lines.length) * lineHeight;
}
