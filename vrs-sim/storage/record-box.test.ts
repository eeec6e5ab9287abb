import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { ResidentGenerator } from '../seed/generate.js';
import { decodeRecord, encodeRecord, lookupHash, openRecord, sealRecord } from './record-box.js';

const gen = new ResidentGenerator('box', '131016');

describe('sealed records', () => {
  it('round-trips every generated shape through the compact encoding and the box', () => {
    const key = nacl.randomBytes(32);
    for (let i = 0; i < 300; i++) {
      const r = gen.resident(i);
      expect(decodeRecord(encodeRecord(r))).toEqual(r);
      expect(openRecord(sealRecord(r, key), key)).toEqual(r);
    }
  });

  it('uses a fresh nonce per sealing', () => {
    const key = nacl.randomBytes(32);
    const r = gen.resident(1);
    const a = sealRecord(r, key);
    const b = sealRecord(r, key);
    expect(Buffer.compare(a.subarray(0, 24), b.subarray(0, 24))).not.toBe(0);
  });

  it('fails to open when any byte is flipped, or under another key', () => {
    const key = nacl.randomBytes(32);
    const sealed = sealRecord(gen.resident(2), key);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sealed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, x) => {
          const bad = Uint8Array.from(sealed);
          bad[at] = (bad[at] ?? 0) ^ x;
          return openRecord(bad, key) === undefined;
        },
      ),
    );
    expect(openRecord(sealed, nacl.randomBytes(32))).toBeUndefined();
    expect(openRecord(sealed.subarray(0, 30), key)).toBeUndefined();
  });

  it('rejects malformed plaintext after a valid box', () => {
    const key = nacl.randomBytes(32);
    const nonce = nacl.randomBytes(24);
    for (const text of [
      '',
      'null',
      '[1]',
      '{"v":1}',
      '[1,"1","a","a","a","19800101","1","x",0,[99,"L","2021-01-01"]]',
    ]) {
      const box = nacl.secretbox(new TextEncoder().encode(text), nonce, key);
      const sealed = new Uint8Array(24 + box.length);
      sealed.set(nonce);
      sealed.set(box, 24);
      expect(openRecord(sealed, key)).toBeUndefined();
    }
  });

  it('throws on wrong argument types (a bad caller)', () => {
    const r = gen.resident(3);
    expect(() => sealRecord(r, new Uint8Array(31))).toThrow(TypeError);
    expect(() => sealRecord(r, nacl.randomBytes(32), new Uint8Array(23))).toThrow(TypeError);
    expect(() => lookupHash(new Uint8Array(16), r.myNumber)).toThrow(TypeError);
    expect(() => lookupHash(nacl.randomBytes(32), 123 as unknown as string)).toThrow(TypeError);
  });

  it('hashes the same number differently under different municipality keys', () => {
    const n = gen.myNumber(5);
    const a = lookupHash(nacl.randomBytes(32), n);
    const b = lookupHash(nacl.randomBytes(32), n);
    expect(a).toHaveLength(32);
    expect(Buffer.compare(a, b)).not.toBe(0);
  });
});
