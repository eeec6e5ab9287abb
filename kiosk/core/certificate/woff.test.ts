import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { woffToSfnt } from './woff.js';

const woffPath = createRequire(import.meta.url).resolve(
  '@fontsource/biz-udgothic/files/biz-udgothic-latin-400-normal.woff',
);

describe('woffToSfnt', () => {
  it('unwraps a WOFF into a TrueType file with the same tables', () => {
    const woff = readFileSync(woffPath);
    const sfnt = woffToSfnt(woff);
    const view = new DataView(sfnt.buffer, sfnt.byteOffset, sfnt.byteLength);
    expect(view.getUint32(0)).toBe(0x00010000);
    expect(view.getUint16(4)).toBe(new DataView(woff.buffer, woff.byteOffset).getUint16(12));
  });

  it('throws on what is not a WOFF, or a truncated one', () => {
    expect(() => woffToSfnt(new Uint8Array(10))).toThrow(TypeError);
    expect(() => woffToSfnt(new Uint8Array(64))).toThrow(TypeError);
    expect(() => woffToSfnt(readFileSync(woffPath).subarray(0, 200))).toThrow(TypeError);
    expect(() => woffToSfnt('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
