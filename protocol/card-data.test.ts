import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { createHash } from 'node:crypto';
import {
  createCardCertificate,
  createCardFiles,
  encodeBasic4Ef,
  encodeTlv,
  parseBasic4Ef,
  parseMyNumberEf,
  readTlvHeader,
  sha256,
  verifyCardData,
} from './card-data.js';

const ca = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
const cardKey = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(9));
const keyId = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const certificateEf = createCardCertificate({
  caSecretKey: ca.secretKey,
  cardPublicKey: cardKey.publicKey,
  keyId,
});
const resident = {
  myNumber: '990000000019',
  name: '試験 太郎',
  address: '東京都千代田区試験町一丁目2番3号',
  birthDate: '19800401',
  sex: '1',
};
const files = createCardFiles(resident, { cardSecretKey: cardKey.secretKey, certificateEf });
const args = { ...files, caPublicKey: ca.publicKey };

describe('card data files', () => {
  it('round-trips through verifyCardData', () => {
    expect(verifyCardData(args)).toEqual({ ok: true, ...resident });
  });

  it('encodes EF 00 01 as D0 0C + 12 ASCII digits and tolerates trailing read bytes', () => {
    expect([...files.myNumberEf.subarray(0, 2)]).toEqual([0xd0, 0x0c]);
    const read17 = new Uint8Array(17).fill(0xff);
    read17.set(files.myNumberEf);
    const r = parseMyNumberEf(read17);
    expect(r.ok && r.myNumber).toBe(resident.myNumber);
    expect(verifyCardData({ ...args, myNumberEf: read17 }).ok).toBe(true);
  });

  it('uses the long length forms 81 xx and 82 xx xx for long 4-info files', () => {
    const mid = encodeBasic4Ef({ ...resident, address: 'あ'.repeat(40) });
    expect([...mid.subarray(0, 3)]).toEqual([0xff, 0x20, 0x81]);
    const long = encodeBasic4Ef({ ...resident, address: '北'.repeat(120) });
    expect([...long.subarray(0, 3)]).toEqual([0xff, 0x20, 0x82]);
    const h = readTlvHeader(long.subarray(0, 7));
    expect(h).toEqual({ ok: true, tag: 0xff20, headerLength: 5, valueLength: long.length - 5 });
    const p = parseBasic4Ef(long);
    expect(p.ok && p.address).toBe('北'.repeat(120));
  });

  it('SHA-256 matches node:crypto', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (d) => {
        expect(Buffer.from(sha256(d)).toString('hex')).toBe(createHash('sha256').update(d).digest('hex'));
      }),
      { numRuns: 100 },
    );
  });

  it('flipping any bit of any file is refused (CARD_FORGED or CARD_DATA_INVALID)', () => {
    const keys = ['myNumberEf', 'basic4Ef', 'signatureEf', 'certificateEf'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.nat(), fc.integer({ min: 0, max: 7 }), (k, pos, bit) => {
        const copy = Uint8Array.from(files[k]);
        const i = pos % copy.length;
        copy[i] = copy[i]! ^ (1 << bit);
        const r = verifyCardData({ ...args, [k]: copy });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(['CARD_FORGED', 'CARD_DATA_INVALID']).toContain(r.code);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a genuine-looking card whose key is not certified by the CA (CARD_FORGED)', () => {
    const rogueCa = nacl.sign.keyPair();
    const rogueCert = createCardCertificate({
      caSecretKey: rogueCa.secretKey,
      cardPublicKey: cardKey.publicKey,
      keyId,
    });
    const forged = createCardFiles(
      { ...resident, name: '見本 花子' },
      { cardSecretKey: cardKey.secretKey, certificateEf: rogueCert },
    );
    expect(verifyCardData({ ...forged, caPublicKey: ca.publicKey })).toEqual({
      ok: false,
      code: 'CARD_FORGED',
    });
  });

  it('refuses 4-info swapped from another genuine card (CARD_FORGED)', () => {
    const other = createCardFiles(
      { ...resident, myNumber: '990000000027', name: '見本 花子' },
      { cardSecretKey: cardKey.secretKey, certificateEf },
    );
    expect(verifyCardData({ ...args, basic4Ef: other.basic4Ef })).toEqual({ ok: false, code: 'CARD_FORGED' });
  });

  it('refuses malformed files with CARD_DATA_INVALID', () => {
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(0xd0, 0x0c, 0x31),
      encodeTlv(0xd0, new TextEncoder().encode('990000000018')), // wrong check digit
      encodeTlv(0xd0, new TextEncoder().encode('9900000000A9')),
    ];
    for (const myNumberEf of bad)
      expect(verifyCardData({ ...args, myNumberEf })).toEqual({ ok: false, code: 'CARD_DATA_INVALID' });
    const badUtf8 = encodeTlv(0xff20, encodeTlv(0xdf22, Uint8Array.of(0xff, 0xfe)));
    expect(verifyCardData({ ...args, basic4Ef: badUtf8 }).ok).toBe(false);
    expect(readTlvHeader(Uint8Array.of(0xff, 0x20, 0x83, 1, 2, 3))).toEqual({
      ok: false,
      code: 'TLV_MALFORMED',
    });
    expect(readTlvHeader(Uint8Array.of(0xff, 0x20, 0x82, 1))).toEqual({ ok: false, code: 'TLV_NEED_MORE' });
  });

  it('never throws on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.uint8Array({ maxLength: 400 }), (a, b) => {
        const r = verifyCardData({ ...args, basic4Ef: a, signatureEf: b });
        expect(r.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('throws TypeError on wrong argument types (a bad caller)', () => {
    const table: unknown[] = [
      { ...args, caPublicKey: new Uint8Array(31) },
      { ...args, caPublicKey: 'key' },
      { ...args, myNumberEf: [0xd0] },
      { ...args, basic4Ef: undefined },
    ];
    for (const a of table) expect(() => verifyCardData(a as typeof args)).toThrow(TypeError);
    expect(() =>
      createCardCertificate({ caSecretKey: ca.publicKey, cardPublicKey: cardKey.publicKey, keyId }),
    ).toThrow(TypeError);
    expect(() =>
      createCardFiles({ ...resident, myNumber: '123' }, { cardSecretKey: cardKey.secretKey, certificateEf }),
    ).toThrow(TypeError);
    expect(() => encodeBasic4Ef({ ...resident, birthDate: '1980-04-01' })).toThrow(TypeError);
  });
});
