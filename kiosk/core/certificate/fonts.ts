import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { create, type FontkitFont } from 'fontkit';
import { woffToSfnt } from './woff.js';

/** Regular (400) or bold (700) BIZ UDGothic. */
export type FontWeight = 400 | 700;

/**
 * BIZ UDGothic from `@fontsource/biz-udgothic`, embedded in the certificate (pdfkit subsets it: only the
 * glyphs used go into the PDF).
 *
 * The `japanese` file covers JIS level 1 and 2 kanji, kana and Latin (7,485 glyphs). Rarer kanji (e.g. 髙, 﨑,
 * JIS level 3/4 and the IBM extensions) and Latin with macrons live in the numbered unicode-range slices of
 * the same font; `fontFor` loads the slice that holds a character on first use. Every file is read from
 * the package (never written), converted from WOFF once, and kept for the life of the process.
 */
const requireFromHere = createRequire(import.meta.url);
const packageDir = dirname(requireFromHere.resolve('@fontsource/biz-udgothic/package.json'));

const PRIMARY_SUBSET = 'japanese';

interface Range {
  readonly from: number;
  readonly to: number;
  readonly subset: string;
}

let ranges: Range[] | undefined;
const loaded = new Map<string, FontkitFont>();

function subsetRanges(): Range[] {
  if (ranges !== undefined) return ranges;
  const table = JSON.parse(readFileSync(join(packageDir, 'unicode.json'), 'utf8')) as Record<string, string>;
  const out: Range[] = [];
  for (const [key, spec] of Object.entries(table)) {
    const subset = key.replace(/^\[(\d+)\]$/, '$1');
    for (const part of spec.split(',')) {
      const [a, b] = part.trim().replace(/^U\+/i, '').split('-');
      if (a === undefined || a === '') continue;
      const from = parseInt(a, 16);
      out.push({ from, to: b === undefined ? from : parseInt(b, 16), subset });
    }
  }
  ranges = out;
  return out;
}

function load(subset: string, weight: FontWeight): FontkitFont {
  const key = `${subset}-${weight}`;
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  const woff = readFileSync(join(packageDir, 'files', `biz-udgothic-${subset}-${weight}-normal.woff`));
  const font = create(Buffer.from(woffToSfnt(woff)));
  loaded.set(key, font);
  return font;
}

/** The Japanese subset of BIZ UDGothic at `weight` (the font most text is set in). */
export function primaryFont(weight: FontWeight): FontkitFont {
  return load(PRIMARY_SUBSET, weight);
}

/** A cache key naming the font `fontFor` returned (for pdfkit's font registry). */
export function fontKey(font: FontkitFont, weight: FontWeight): string {
  for (const [key, f] of loaded) if (f === font) return key;
  return `${font.postscriptName}-${weight}`;
}

/**
 * The BIZ UDGothic file that has a glyph for `codePoint` at `weight`, or `undefined` when no file of the
 * family has one.
 */
export function fontFor(codePoint: number, weight: FontWeight): FontkitFont | undefined {
  const primary = primaryFont(weight);
  if (primary.hasGlyphForCodePoint(codePoint)) return primary;
  for (const r of subsetRanges()) {
    if (codePoint < r.from || codePoint > r.to || r.subset === PRIMARY_SUBSET) continue;
    const font = load(r.subset, weight);
    if (font.hasGlyphForCodePoint(codePoint)) return font;
  }
  return undefined;
}

/**
 * Loads the two weights of the Japanese subset now (about 0.3 s), so the first certificate of the day
 * prints as fast as the others. Call once at kiosk start.
 */
export function preloadCertificateFonts(): void {
  primaryFont(400);
  primaryFont(700);
}
