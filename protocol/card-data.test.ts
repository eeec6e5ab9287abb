import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  createCardFiles,
  encodeBasic4Ef,
  encodeTlv,
  parseBasic4Ef,
  parseMyNumberEf,
  parseSignatureEf,
  readTlvHeader,
  readTlvList,
  sha256,
  verifyCardData,
} from './card-data.js';

// A throwaway RSA-2048 issuer (the test plays the card issuer): Node's crypto signs and verifies.
const rsaIssuer = () => {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    signer: { sign: (d: Uint8Array) => new Uint8Array(sign('sha256', d, k.privateKey)) },
    verifier: { verify: (d: Uint8Array, s: Uint8Array) => verify('sha256', d, k.publicKey, s) },
    publicKey: k.publicKey,
  };
};
const issuer = rsaIssuer();
const certificateEf = Uint8Array.of(0x7f, 0x21, 0x00);
const resident = {
  myNumber: '990000000019',
  name: '試験 太郎',
  address: '東京都千代田区試験町一丁目2番3号',
  birthDate: '19800401',
  sex: '1',
};
const files = createCardFiles(resident, { signer: issuer.signer, certificateEf });
const args = {
  myNumberEf: files.myNumberEf,
  basic4Ef: files.basic4Ef,
  signatureEf: files.signatureEf,
  issuer: issuer.verifier,
};

describe('card data files', () => {
  it('round-trips through verifyCardData', () => {
    expect(verifyCardData(args)).toEqual({ ok: true, ...resident });
  });

  it('writes EF 00 03 as FF 30 { DF 31 SHA-256(EF 00 01), DF 32 SHA-256(EF 00 02), DF 33 RSA-2048 PKCS#1 v1.5 }', () => {
    const outer = readTlvList(files.signatureEf)!;
    expect(outer.map((t) => t.tag)).toEqual([0xff30]);
    const inner = readTlvList(outer[0]!.value)!;
    expect(inner.map((t) => [t.tag, t.value.length])).toEqual([
      [0xdf31, 32],
      [0xdf32, 32],
      [0xdf33, 256],
    ]);
    const h = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(Buffer.from(inner[0]!.value).toString('hex')).toBe(h(files.myNumberEf));
    expect(Buffer.from(inner[1]!.value).toString('hex')).toBe(h(files.basic4Ef));
    // Any verifier with the issuer's public key checks DF 33 over the DF 31 ‖ DF 32 elements as encoded.
    const signed = outer[0]!.value.subarray(0, inner[1]!.end);
    expect(verify('sha256', signed, issuer.publicKey, inner[2]!.value)).toBe(true);
    const p = parseSignatureEf(files.signatureEf);
    expect(p.ok && Buffer.from(p.signed).equals(Buffer.from(signed))).toBe(true);
  });

  it('refuses a tampered byte in the name, the My Number, a digest or the signature (CARD_FORGED)', () => {
    const nameAt = Buffer.from(files.basic4Ef).indexOf(Buffer.from('太郎'));
    const basic4Ef = Uint8Array.from(files.basic4Ef);
    basic4Ef[nameAt + 2] = basic4Ef[nameAt + 2]! ^ 0x01; // 太 → another valid kanji
    expect(verifyCardData({ ...args, basic4Ef })).toEqual({ ok: false, code: 'CARD_FORGED' });
    const sigEf = Uint8Array.from(files.signatureEf);
    sigEf[sigEf.length - 1] = sigEf[sigEf.length - 1]! ^ 0x01;
    expect(verifyCardData({ ...args, signatureEf: sigEf })).toEqual({ ok: false, code: 'CARD_FORGED' });
    // Digests rewritten to match altered data, signature kept: the signature no longer covers them.
    const altered = createCardFiles(
      { ...resident, name: '試験 次郎' },
      { signer: issuer.signer, certificateEf },
    );
    const spliced = Uint8Array.from(altered.signatureEf);
    spliced.set(files.signatureEf.subarray(files.signatureEf.length - 256), spliced.length - 256);
    expect(verifyCardData({ ...args, basic4Ef: altered.basic4Ef, signatureEf: spliced })).toEqual({
      ok: false,
      code: 'CARD_FORGED',
    });
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
    const keys = ['myNumberEf', 'basic4Ef', 'signatureEf'] as const;
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

  it('refuses a card written by another issuer key (CARD_FORGED)', () => {
    const rogue = rsaIssuer();
    const forged = createCardFiles(
      { ...resident, name: '見本 花子' },
      { signer: rogue.signer, certificateEf },
    );
    expect(verifyCardData({ ...forged, issuer: issuer.verifier })).toEqual({
      ok: false,
      code: 'CARD_FORGED',
    });
  });

  it('refuses 4-info swapped from another genuine card (CARD_FORGED)', () => {
    const other = createCardFiles(
      { ...resident, myNumber: '990000000027', name: '見本 花子' },
      { signer: issuer.signer, certificateEf },
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
      { ...args, issuer: undefined },
      { ...args, issuer: 'key' },
      { ...args, myNumberEf: [0xd0] },
      { ...args, basic4Ef: undefined },
    ];
    for (const a of table) expect(() => verifyCardData(a as typeof args)).toThrow(TypeError);
    expect(() =>
      createCardFiles({ ...resident, myNumber: '123' }, { signer: issuer.signer, certificateEf }),
    ).toThrow(TypeError);
    // A signer that is not RSA-2048 (a 64-byte Ed25519-sized answer) is a bad caller too.
    expect(() =>
      createCardFiles(resident, { signer: { sign: () => new Uint8Array(64) }, certificateEf }),
    ).toThrow(TypeError);
    expect(() => encodeBasic4Ef({ ...resident, birthDate: '1980-04-01' })).toThrow(TypeError);
  });
});
