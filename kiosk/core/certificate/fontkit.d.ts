/** The part of fontkit (no published types) the certificate uses. */
declare module 'fontkit' {
  export interface FontkitPath {
    toSVG(): string;
  }
  export interface FontkitGlyph {
    readonly advanceWidth: number;
    readonly path: FontkitPath;
  }
  export interface FontkitLayout {
    readonly glyphs: FontkitGlyph[];
    readonly positions: { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }[];
  }
  export interface FontkitFont {
    readonly postscriptName: string;
    readonly unitsPerEm: number;
    readonly ascent: number;
    readonly descent: number;
    hasGlyphForCodePoint(codePoint: number): boolean;
    layout(text: string): FontkitLayout;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): FontkitFont;
}
