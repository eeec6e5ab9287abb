import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jpkiChallenge } from '../../../protocol/card-data/jpki.js';
import { loadResidents } from '../../../hardware-sim/reader/residents.js';
import { startReaderHarness, type ReaderHarness } from '../../../hardware-sim/reader/testing/harness.js';
import { SerialPortTransport } from '../transports/serial.js';
import { Pn532Reader } from '../pn532/reader.js';
import { JpkiSession } from './jpki.js';
import { CardSession } from './session.js';

const residents = new Map(loadResidents().map((r) => [r.id, r]));
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('both PIN counters, read before the PIN (real pty, emulated card)', () => {
  let h: ReaderHarness;
  let reader: Pn532Reader;

  beforeAll(async () => {
    h = await startReaderHarness({ signDelayMs: 0 });
    reader = new Pn532Reader({
      transport: () => new SerialPortTransport({ path: h.hostPath, baudRate: 115200 }),
      heartbeatMs: 0,
    });
    expect((await reader.open()).ok).toBe(true);
  });
  afterAll(async () => {
    await reader?.close().catch(() => undefined);
    await h?.stop();
  });
  beforeEach(() => h.device.removeCard());

  it('JPKI session: the 券面事項入力補助用 counter beside its own, and the signature still works after', async () => {
    h.device.setJpkiPinTries(3, 'taro');
    h.device.setPinTries(1, 'taro');
    h.device.placeCard('taro');
    const s = new JpkiSession({ reader });
    expect((await s.waitForCard({ timeoutMs: 2000 })).ok).toBe(true);
    expect(await s.otherPinCounter()).toEqual({ ok: true, remaining: 1 });
    expect(await s.readRetryCounter()).toEqual({ ok: true, remaining: 3 });
    const t = residents.get('taro')!;
    const challenge = jpkiChallenge({
      kioskId: 'k'.repeat(43),
      nonce: randomBytes(32),
      signedAt: Date.now(),
    });
    const r = await s.authenticate(ascii(t.jpkiPin ?? t.pin), challenge);
    expect(r.ok).toBe(true);
    // Reading a counter sends no PIN: neither counter moved.
    expect(h.device.pinTries('taro')).toBe(1);
    expect(h.device.jpkiPinTries('taro')).toBe(3);
  });

  it('カードAP session: the 利用者証明用 counter (locked shows as 0), and the read still works after', async () => {
    h.device.setJpkiPinTries(0, 'taro');
    h.device.setPinTries(3, 'taro');
    h.device.placeCard('taro');
    const s = new CardSession({ reader });
    expect((await s.waitForCard({ timeoutMs: 2000 })).ok).toBe(true);
    expect(await s.otherPinCounter()).toEqual({ ok: true, remaining: 0 });
    expect(await s.readRetryCounter()).toEqual({ ok: true, remaining: 3 });
    const r = await s.verifyAndRead(ascii(residents.get('taro')!.pin));
    expect(r.ok).toBe(true);
    h.device.setJpkiPinTries(3, 'taro');
  });
});
