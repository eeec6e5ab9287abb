import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialPortTransport } from '../transports/serial.js';
import { Pn532Reader } from './reader.js';
import { startReaderHarness, type ReaderHarness } from '../../../hardware-sim/reader/testing/harness.js';

/**
 * The Pn532Reader contract: what must hold for any PN532 on a serial line, with no card on it.
 * Runs against the emulator over a real pty, and against a real PN532 when KIOSK_TEST_READER names its port.
 */
function readerContract(setup: () => Promise<{ path: string; teardown(): Promise<void> }>): void {
  let path = '';
  let teardown: () => Promise<void> = async () => undefined;
  let reader: Pn532Reader;
  beforeAll(async () => {
    ({ path, teardown } = await setup());
    reader = new Pn532Reader({ transport: () => new SerialPortTransport({ path, baudRate: 115200 }) });
  });
  afterAll(async () => {
    await reader?.close().catch(() => undefined);
    await teardown();
  });

  it('wakes the chip and reports a PN532 with ISO 14443B support', async () => {
    const r = await reader.open();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.firmware.ic).toBe(0x32);
    expect(r.firmware.support & 0x02).toBe(0x02);
    expect(reader.state).toBe('ready');
  });

  it('answers CARD_NOT_PRESENT when no card is in the field', async () => {
    expect(await reader.listTypeB()).toEqual({ ok: false, code: 'CARD_NOT_PRESENT' });
    expect(await reader.waitForCard({ timeoutMs: 200, pollMs: 50 })).toEqual({
      ok: false,
      code: 'CARD_NOT_PRESENT',
    });
  });

  it('refuses an APDU without an activated card, and a malformed APDU as a bad caller', async () => {
    expect(await reader.exchange(Uint8Array.of(0, 0xa4, 4, 0x0c))).toEqual({
      ok: false,
      code: 'CARD_NOT_PRESENT',
    });
    await expect(reader.exchange(Uint8Array.of(0, 1))).rejects.toThrow(TypeError);
  });

  it('reports no card present and releases cleanly', async () => {
    expect(await reader.isCardPresent()).toEqual({ ok: true, present: false });
    expect(await reader.release()).toEqual({ ok: true });
  });

  it('closes and opens again (the chip is woken again)', async () => {
    await reader.close();
    expect(reader.state).toBe('closed');
    expect((await reader.open()).ok).toBe(true);
  });
}

describe('Pn532Reader contract — emulated PN532 over a socat pty', () => {
  let h: ReaderHarness;
  readerContract(async () => {
    h = await startReaderHarness();
    return { path: h.hostPath, teardown: () => h.stop() };
  });
});

const realPort = process.env['KIOSK_TEST_READER'];
(realPort ? describe : describe.skip)(
  realPort
    ? `Pn532Reader contract — real PN532 on ${realPort} (keep the field empty)`
    : 'Pn532Reader contract — real PN532: skipped, set KIOSK_TEST_READER=/dev/ttyUSB0 to run against hardware',
  () => {
    readerContract(async () => ({ path: realPort ?? '', teardown: async () => undefined }));
  },
);
