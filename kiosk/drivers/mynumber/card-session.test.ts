import { X509Certificate, verify } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyCardData } from '../../../protocol/card-data.js';
import { SerialPortTransport } from '../transports/serial.js';
import { Pn532Reader } from '../pn532/reader.js';
import { loadResidents } from '../../../hardware-sim/reader/residents.js';
import { startReaderHarness, type ReaderHarness } from '../../../hardware-sim/reader/testing/harness.js';
import { CardSession } from './session.js';

/** The card issuer's certificate as any verifier would take it: its RSA key checks EF 00 03's DF 33. */
const issuerOf = (certificate: Uint8Array) => {
  const key = new X509Certificate(certificate).publicKey;
  return { verify: (d: Uint8Array, sig: Uint8Array) => verify('sha256', d, key, sig) };
};
import { readCard } from './read-card.js';

const residents = new Map(loadResidents().map((r) => [r.id, r]));
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const pinOf = (id: string): Uint8Array => ascii(residents.get(id)!.pin);

describe('My Number card over the PN532 driver and the emulated reader (real pty, 115200 baud pacing)', () => {
  let h: ReaderHarness;
  let reader: Pn532Reader;

  beforeAll(async () => {
    h = await startReaderHarness();
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

  it('reads My Number and 基本4情報 of a normal card, which verify under the card issuer certificate', async () => {
    h.device.placeCard('taro');
    const pin = pinOf('taro');
    const r = await readCard({ reader, pin, timeoutMs: 2000 });
    expect(pin.every((b) => b === 0)).toBe(true);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const t = residents.get('taro')!;
    expect(r.remainingBefore).toBe(3);
    expect(r.data).toMatchObject({
      myNumber: t.myNumber,
      name: t.name,
      address: t.address,
      birthDate: t.birthDate,
      sex: t.sex,
    });
    expect(verifyCardData({ ...r.data.files, issuer: issuerOf(h.device.kenhojoIssuerCertificate) })).toEqual({
      ok: true,
      myNumber: t.myNumber,
      name: t.name,
      address: t.address,
      birthDate: t.birthDate,
      sex: t.sex,
    });
    expect(reader.target).toBeUndefined(); // released after the read
  });

  it.each(['longname', 'longaddress', 'kyusei', 'gaiji', 'sex9'])(
    'reads %s (long TLV lengths, several chunks, MI chaining)',
    async (id) => {
      h.device.placeCard(id);
      const r = await readCard({ reader, pin: pinOf(id), timeoutMs: 2000 });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const res = residents.get(id)!;
      expect(r.data).toMatchObject({ name: res.name, address: res.address, sex: res.sex });
      expect(
        verifyCardData({ ...r.data.files, issuer: issuerOf(h.device.kenhojoIssuerCertificate) }).ok,
      ).toBe(true);
    },
  );

  it('a wrong PIN decrements the counter (persisted), three lock the card, the panel resets it', async () => {
    h.device.setPinTries(3, 'hanako');
    h.device.placeCard('hanako');
    const s = new CardSession({ reader });
    expect((await s.waitForCard({ timeoutMs: 1000 })).ok).toBe(true);
    expect(await s.readRetryCounter()).toEqual({ ok: true, remaining: 3 });
    expect(await s.verifyAndRead(ascii('0000'))).toEqual({ ok: false, code: 'CARD_PIN_WRONG', remaining: 2 });
    expect(h.device.pinTries('hanako')).toBe(2);
    await s.end();

    // Take the card away and back: the counter is the card's, not the session's.
    h.device.removeCard();
    h.device.placeCard('hanako');
    const s2 = new CardSession({ reader });
    expect((await s2.waitForCard({ timeoutMs: 1000 })).ok).toBe(true);
    expect(await s2.readRetryCounter()).toEqual({ ok: true, remaining: 2 });
    expect(await s2.verifyAndRead(ascii('1111'))).toEqual({
      ok: false,
      code: 'CARD_PIN_WRONG',
      remaining: 1,
    });
    // The third wrong PIN is answered 63 C0: the card is locked now, and the transaction ends.
    expect(await s2.verifyAndRead(ascii('2222'))).toEqual({ ok: false, code: 'CARD_PIN_LOCKED' });
    expect(h.device.pinTries('hanako')).toBe(0);
    expect(await s2.verifyAndRead(pinOf('hanako'))).toEqual({ ok: false, code: 'CARD_NOT_PRESENT' });
    await s2.end();

    const locked = await readCard({ reader, pin: pinOf('hanako'), timeoutMs: 1000 });
    expect(locked).toEqual({ ok: false, code: 'CARD_PIN_LOCKED' });

    h.device.setPinTries(3);
    const again = await readCard({ reader, pin: pinOf('hanako'), timeoutMs: 1000 });
    expect(again.ok).toBe(true);
  });

  it('reads a forged card (4-info altered after signing), which verifyCardData refuses as CARD_FORGED', async () => {
    h.device.placeCard('taro', 'forged');
    const r = await readCard({ reader, pin: pinOf('taro'), timeoutMs: 2000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data.name).not.toBe(residents.get('taro')!.name);
    expect(verifyCardData({ ...r.data.files, issuer: issuerOf(h.device.kenhojoIssuerCertificate) })).toEqual({
      ok: false,
      code: 'CARD_FORGED',
    });
  });

  it('a correct PIN restores the counter to 3', async () => {
    h.device.setPinTries(1, 'taro');
    h.device.placeCard('taro');
    const r = await readCard({ reader, pin: pinOf('taro'), timeoutMs: 1000 });
    expect(r.ok && r.remainingBefore).toBe(1);
    expect(h.device.pinTries('taro')).toBe(3);
  });

  it('refuses a locked card before any VERIFY (CARD_PIN_LOCKED, counter untouched)', async () => {
    h.device.placeCard('locked');
    expect(await readCard({ reader, pin: pinOf('locked'), timeoutMs: 1000 })).toEqual({
      ok: false,
      code: 'CARD_PIN_LOCKED',
    });
    expect(h.device.pinTries('locked')).toBe(0);
  });

  it('reports a card without the AP as CARD_AP_MISSING', async () => {
    h.device.placeCard('noap');
    expect(await readCard({ reader, pin: pinOf('noap'), timeoutMs: 1000 })).toEqual({
      ok: false,
      code: 'CARD_AP_MISSING',
    });
  });

  it('reads a slow card', async () => {
    h.device.placeCard('slow');
    expect((await readCard({ reader, pin: pinOf('slow'), timeoutMs: 1000 })).ok).toBe(true);
  });

  it('reports a card removed in the middle of the read as CARD_REMOVED', async () => {
    h.device.placeCard('taro', 'remove-mid-read');
    expect(await readCard({ reader, pin: pinOf('taro'), timeoutMs: 1000 })).toEqual({
      ok: false,
      code: 'CARD_REMOVED',
    });
  });

  it('reads through garbled frames by NACKing them', async () => {
    const before = reader.stats.nacksSent;
    h.device.placeCard('longaddress', 'garble');
    const r = await readCard({ reader, pin: pinOf('longaddress'), timeoutMs: 1000 });
    expect(r.ok).toBe(true);
    expect(reader.stats.nacksSent).toBeGreaterThan(before);
  });

  it('waits for the card, then sees it removed', async () => {
    const s = new CardSession({ reader });
    const waiting = s.waitForCard({ timeoutMs: 3000, pollMs: 20 });
    setTimeout(() => h.device.placeCard('taro'), 100);
    expect((await waiting).ok).toBe(true);
    expect((await s.readRetryCounter()).ok).toBe(true);
    expect((await s.verifyAndRead(pinOf('taro'))).ok).toBe(true);
    expect(await s.waitForRemoval({ timeoutMs: 100, pollMs: 20 })).toEqual({ ok: true, removed: false });
    setTimeout(() => h.device.removeCard(), 100);
    expect(await s.waitForRemoval({ timeoutMs: 3000, pollMs: 20 })).toEqual({ ok: true, removed: true });
  });

  it('refuses a PIN that is not 4 ASCII digits as a bad caller, and still zeroes it', async () => {
    const bad = ascii('12a4');
    await expect(readCard({ reader, pin: bad })).rejects.toThrow(TypeError);
    expect(bad.every((b) => b === 0)).toBe(true);
    await expect(readCard({ reader, pin: '1234' as unknown as Uint8Array })).rejects.toThrow(TypeError);
  });

  it('survives the reader being unplugged and plugged back (reconnect with backoff)', async () => {
    const states: string[] = [];
    const off = reader.onStateChange((s) => states.push(s));
    await h.device.unplug();
    await expect.poll(() => reader.state, { timeout: 3000 }).toBe('disconnected');
    expect(await reader.listTypeB()).toEqual({ ok: false, code: 'READER_DISCONNECTED' });
    await h.device.plug();
    expect(await reader.waitReady(5000)).toBe(true);
    off();
    expect(states).toContain('disconnected');
    expect(states.at(-1)).toBe('ready');
    h.device.placeCard('taro');
    expect((await readCard({ reader, pin: pinOf('taro'), timeoutMs: 1000 })).ok).toBe(true);
  });
});

describe('a card slower than the driver timeout', () => {
  let h: ReaderHarness;
  let reader: Pn532Reader;
  beforeAll(async () => {
    h = await startReaderHarness({ slowApduDelayMs: 250 });
    reader = new Pn532Reader({
      transport: () => new SerialPortTransport({ path: h.hostPath, baudRate: 115200 }),
      timeouts: { exchangeMs: 100 },
      heartbeatMs: 0,
    });
    expect((await reader.open()).ok).toBe(true);
  });
  afterAll(async () => {
    await reader?.close().catch(() => undefined);
    await h?.stop();
  });

  it('times out (READER_TIMEOUT), aborts the command, and the next card reads cleanly', async () => {
    h.device.placeCard('slow');
    expect(await readCard({ reader, pin: pinOf('slow'), timeoutMs: 1000 })).toEqual({
      ok: false,
      code: 'READER_TIMEOUT',
    });
    h.device.removeCard();
    h.device.placeCard('taro');
    const r = await readCard({ reader, pin: pinOf('taro'), timeoutMs: 1000 });
    expect(r.ok && r.data.myNumber).toBe(residents.get('taro')!.myNumber);
  });
});
