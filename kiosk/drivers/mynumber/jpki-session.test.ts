import { X509Certificate, randomBytes, verify as rsaVerify } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JPKI_EF, jpkiChallenge } from '../../../protocol/card-data/jpki.js';
import { loadResidents } from '../../../hardware-sim/reader/residents.js';
import { startReaderHarness, type ReaderHarness } from '../../../hardware-sim/reader/testing/harness.js';
import { SerialPortTransport } from '../transports/serial.js';
import { Pn532Reader } from '../pn532/reader.js';
import { readBinary, selectEf, splitResponse } from './apdu.js';
import { JpkiSession, computeSignature, selectJpkiAp } from './jpki.js';
import { CardSession } from './session.js';

const residents = new Map(loadResidents().map((r) => [r.id, r]));
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const jpkiPinOf = (id: string) => ascii(residents.get(id)!.jpkiPin ?? residents.get(id)!.pin);
const KIOSK = 'k'.repeat(43);

describe('公的個人認証AP over the PN532 driver and the emulated reader (real pty)', () => {
  let h: ReaderHarness;
  let reader: Pn532Reader;

  beforeAll(async () => {
    h = await startReaderHarness({ signDelayMs: 0 });
    reader = new Pn532Reader({
      transport: () => new SerialPortTransport({ path: h.hostPath, baudRate: 115200 }),
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      heartbeatMs: 100,
    });
    expect((await reader.open()).ok).toBe(true);
  });
  afterAll(async () => {
    await reader?.close().catch(() => undefined);
    await h?.stop();
  });
  beforeEach(() => h.device.removeCard());

  it('signs a fresh challenge with the 利用者証明用 key; the certificate is X.509 RSA-2048 from the CA, no personal data', async () => {
    h.device.setJpkiPinTries(3, 'taro');
    h.device.placeCard('taro');
    const s = new JpkiSession({ reader });
    expect((await s.waitForCard({ timeoutMs: 2000 })).ok).toBe(true);
    expect(await s.readRetryCounter()).toEqual({ ok: true, remaining: 3 });
    const challenge = jpkiChallenge({ kioskId: KIOSK, nonce: randomBytes(32), signedAt: Date.now() });
    const pin = jpkiPinOf('taro');
    const r = await s.authenticate(pin, challenge);
    expect(pin.every((b) => b === 0)).toBe(true);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const cert = new X509Certificate(r.proof.certificate);
    const ca = new X509Certificate(h.device.jlis.caCertificate);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.serialNumber.toLowerCase()).toBe(h.device.jpkiSerial('taro'));
    const t = residents.get('taro')!;
    const text = cert.toString() + cert.subject + (cert.subjectAltName ?? '');
    for (const personal of [t.name, t.myNumber, t.birthDate, t.address]) expect(text).not.toContain(personal);
    expect(rsaVerify('sha256', challenge, cert.publicKey, r.proof.signature)).toBe(true);
    // Another challenge does not verify with this signature.
    const other = jpkiChallenge({ kioskId: KIOSK, nonce: randomBytes(32), signedAt: Date.now() });
    expect(rsaVerify('sha256', other, cert.publicKey, r.proof.signature)).toBe(false);
    expect(reader.target).toBeUndefined();
  });

  it('a wrong 利用者証明用 PIN decrements only its own counter; three lock it and it shows as locked', async () => {
    h.device.setPinTries(3, 'hanako');
    h.device.setJpkiPinTries(3, 'hanako');
    h.device.placeCard('hanako');
    const s = new JpkiSession({ reader });
    expect((await s.waitForCard({ timeoutMs: 2000 })).ok).toBe(true);
    const ch = jpkiChallenge({ kioskId: KIOSK, nonce: randomBytes(32), signedAt: 1 });
    expect(await s.authenticate(ascii('0000'), ch)).toEqual({
      ok: false,
      code: 'CARD_PIN_WRONG',
      remaining: 2,
    });
    expect(h.device.jpkiPinTries('hanako')).toBe(2);
    expect(h.device.pinTries('hanako')).toBe(3); // the 券面事項入力補助用 counter is untouched
    expect(await s.authenticate(ascii('0000'), ch)).toEqual({
      ok: false,
      code: 'CARD_PIN_WRONG',
      remaining: 1,
    });
    // The third wrong PIN answers 63 C0: locked.
    expect(await s.authenticate(ascii('0000'), ch)).toEqual({ ok: false, code: 'CARD_PIN_LOCKED' });
    expect(h.device.jpkiPinTries('hanako')).toBe(0);
    await s.end();
    const again = new JpkiSession({ reader });
    expect((await again.waitForCard({ timeoutMs: 2000 })).ok).toBe(true);
    expect(await again.readRetryCounter()).toEqual({ ok: false, code: 'CARD_PIN_LOCKED' });
    // The 券面事項入力補助AP still reads with its own PIN.
    const kenhojo = new CardSession({ reader });
    expect((await kenhojo.waitForCard({ timeoutMs: 2000 })).ok).toBe(true);
    expect(await kenhojo.readRetryCounter()).toEqual({ ok: true, remaining: 3 });
    await kenhojo.end();
    h.device.setJpkiPinTries(3, 'hanako');
  });

  it('answers raw APDUs as public readers expect: key EF unreadable, no signature without the PIN', async () => {
    h.device.placeCard('taro');
    expect((await reader.waitForCard({ timeoutMs: 2000 })).ok).toBe(true);
    const x = async (apdu: Uint8Array) => {
      const r = await reader.exchange(apdu);
      if (!r.ok) throw new Error(r.code);
      return splitResponse(r.response);
    };
    expect((await x(selectJpkiAp())).sw).toBe(0x9000);
    expect((await x(selectEf(JPKI_EF.authCertificate))).sw).toBe(0x9000);
    const head = await x(readBinary(0, 4));
    expect(head.sw).toBe(0x9000);
    expect([...head.data.subarray(0, 2)]).toEqual([0x30, 0x82]);
    expect((await x(selectEf(JPKI_EF.authKey))).sw).toBe(0x9000);
    expect((await x(readBinary(0, 16))).sw).toBe(0x6981);
    const di = new Uint8Array(51).fill(1);
    di[0] = 0x30;
    expect((await x(computeSignature(di))).sw).toBe(0x6982);
    expect((await x(Uint8Array.of(0x00, 0x20, 0x00, 0x80))).sw).toBe(0x6985); // VERIFY with the key EF selected
    expect((await x(selectEf(JPKI_EF.authPin))).sw).toBe(0x9000);
    expect((await x(Uint8Array.of(0x00, 0x20, 0x00, 0x80))).sw & 0xfff0).toBe(0x63c0);
    await reader.release();
  });
});
