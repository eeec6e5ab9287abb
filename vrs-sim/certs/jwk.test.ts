import { describe, expect, it } from 'vitest';
import { canonicalJson, ecThumbprint } from './jwk.js';

describe('JWK thumbprint (RFC 7638)', () => {
  it("reproduces the kid of Japan's first published SHC key (docs/reference.md §2.2)", () => {
    expect(
      ecThumbprint({
        crv: 'P-256',
        x: 'ViKBgZ0f3pQKv-tSz653HUtIzCS8TVSNu1Hwi0tKpSk',
        y: '01177apKXH2HgGfkn71ZPEljWk0Q2fcEzY2_XOfL_Zc',
      }),
    ).toBe('f1vhQP9oOZkityrguynQqB4aVh8u9xcf3wm4AFF4aVw');
  });

  it('throws on a key without coordinates', () => {
    expect(() =>
      ecThumbprint({ crv: 'P-256', x: 'a' } as unknown as { crv: string; x: string; y: string }),
    ).toThrow(TypeError);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('sorts by UTF-16 code units and keeps non-ASCII text as is', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, '1': 4 })).toBe('{"1":4,"Z":3,"z":2,"é":1}');
    expect(canonicalJson({ n: '試験 太郎' })).toBe('{"n":"試験 太郎"}');
  });

  it('drops undefined members and refuses what JSON cannot carry', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
  });
});
