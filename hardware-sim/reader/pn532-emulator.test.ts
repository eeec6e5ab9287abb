import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { FrameDecoder, type DecodedFrame } from '../../kiosk/drivers/pn532/decoder.js';
import {
  ACK_FRAME,
  NACK_FRAME,
  TFI_HOST,
  WAKE_UP,
  encodeInfoFrame,
} from '../../kiosk/drivers/pn532/frame.js';
import type { SerialTransport } from '../../kiosk/drivers/transport.js';
import { testCardFiles } from './testing/card-files.js';
import { SimCard } from './card.js';
import { Pn532Emulator } from './pn532-emulator.js';
import { memorySerialPair } from './testing/memory-pair.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (h) => parseInt(h, 16));
const files = testCardFiles();
const newCard = () => {
  let tries = 3;
  return new SimCard({
    residentId: 'taro',
    files,
    pin: '1234',
    hasAp: true,
    counter: { get: () => tries, set: (n) => (tries = n) },
  });
};

describe('Pn532Emulator protocol behaviour (in-memory line, no pacing)', () => {
  let host: SerialTransport;
  let emu: Pn532Emulator;
  let frames: DecodedFrame[];
  beforeEach(async () => {
    const pair = memorySerialPair();
    host = pair.host;
    await host.open();
    await pair.device.open();
    emu = new Pn532Emulator({ baudRate: 0 });
    emu.attach(pair.device);
    const dec = new FrameDecoder();
    frames = [];
    host.onData((c) => frames.push(...dec.push(c)));
  });
  afterEach(() => emu.detach());

  const send = (data: string, wake = false) => {
    const f = encodeInfoFrame(TFI_HOST, hex(data));
    return host.write(wake ? new Uint8Array([...WAKE_UP, ...f]) : f);
  };
  const answers = () => frames.filter((f) => f.type !== 'ack');
  const acks = () => frames.filter((f) => f.type === 'ack').length;
  /**
   * Waits for what the emulator does, never for a time: the emulator handles one command after the other, so an
   * answer to a later command also proves that an earlier one was handled (and, where it must, never answered).
   */
  const until = (check: () => void) => vi.waitFor(check, { timeout: 20_000, interval: 2 });
  const firmware = { type: 'info', tfi: 0xd5, data: hex('03 32 01 06 07'), extended: false };

  it('stays asleep (no ACK) until the HSU wake-up byte 0x55', async () => {
    await send('02');
    await send('14 01', true);
    // Had the first GetFirmwareVersion been heard, its ACK and answer would come first.
    await until(() => expect(frames).toHaveLength(2));
    expect(frames).toEqual([{ type: 'ack' }, { type: 'info', tfi: 0xd5, data: hex('15'), extended: false }]);
  });

  it('answers GetFirmwareVersion, echoes the Diagnose communication test, errors on unknown commands', async () => {
    await send('14 01', true);
    await send('02');
    await send('00 00 6C 69 62 6E 66 63');
    await send('FE 01');
    await until(() => expect(answers()).toHaveLength(4));
    expect(answers()).toEqual([
      { type: 'info', tfi: 0xd5, data: hex('15'), extended: false },
      firmware,
      { type: 'info', tfi: 0xd5, data: hex('01 00 6C 69 62 6E 66 63'), extended: false },
      { type: 'error' },
    ]);
  });

  it('resends its last answer on a NACK', async () => {
    await send('14 01', true);
    await send('02');
    await until(() => expect(answers()).toHaveLength(2));
    frames.length = 0;
    await host.write(NACK_FRAME);
    await until(() => expect(frames).toHaveLength(1));
    expect(frames).toEqual([firmware]);
  });

  it('with infinite retries, InListPassiveTarget waits for a card; an ACK from the host aborts it', async () => {
    await send('14 01', true);
    await send('32 05 FF FF FF');
    await send('4A 01 03 00');
    await until(() => expect(acks()).toBe(3)); // the InListPassiveTarget was taken and waits
    expect(answers()).toHaveLength(2);
    await host.write(ACK_FRAME); // abort
    await send('02'); // handled only after the abort
    await until(() => expect(answers()).toHaveLength(3));
    emu.placeCard(newCard(), 'normal');
    await send('02');
    await until(() => expect(answers()).toHaveLength(4));
    expect(answers().slice(2)).toEqual([firmware, firmware]); // the aborted command never answered
    await send('4A 01 03 00');
    await until(() => expect(answers()).toHaveLength(5));
    expect(answers().at(-1)).toMatchObject({
      type: 'info',
      data: expect.objectContaining({ 0: 0x4b, 1: 0x01 }),
    });
  });

  it('answers InDataExchange with status 01 when the card has left, and 27 without a target', async () => {
    await send('14 01', true);
    await send('40 01 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08');
    emu.placeCard(newCard(), 'normal');
    await send('4A 01 03 00');
    await until(() => expect(answers()).toHaveLength(3));
    emu.removeCard();
    await send('40 01 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08');
    await until(() => expect(answers()).toHaveLength(4));
    const a = answers();
    expect(a[1]).toEqual({ type: 'info', tfi: 0xd5, data: hex('41 27'), extended: false });
    expect(a.at(-1)).toEqual({ type: 'info', tfi: 0xd5, data: hex('41 01'), extended: false });
  });

  it('never answers a command the host aborted with an ACK (a slow card mid-APDU)', async () => {
    const slow = new Pn532Emulator({ baudRate: 0, slowApduDelayMs: 60 });
    const pair = memorySerialPair();
    await pair.host.open();
    await pair.device.open();
    slow.attach(pair.device);
    const dec = new FrameDecoder();
    const got: DecodedFrame[] = [];
    pair.host.onData((c) => got.push(...dec.push(c)));
    const tx = (d: string, wake = false) => {
      const f = encodeInfoFrame(TFI_HOST, hex(d));
      return pair.host.write(wake ? new Uint8Array([...WAKE_UP, ...f]) : f);
    };
    const infos = () => got.filter((f) => f.type === 'info').map((f) => (f.type === 'info' ? f.data[0] : 0));
    slow.placeCard(newCard(), 'slow');
    await tx('14 01', true);
    await tx('4A 01 03 00');
    await until(() => expect(infos()).toHaveLength(2));
    await tx('40 01 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08');
    await until(() => expect(got.filter((f) => f.type === 'ack')).toHaveLength(3)); // the APDU is at the card
    await pair.host.write(ACK_FRAME);
    await tx('02'); // queued behind the slow APDU: its answer comes after whatever that APDU sends
    await until(() => expect(infos()).toHaveLength(3));
    expect(infos()).toEqual([0x15, 0x4b, 0x03]);
    slow.detach();
  });

  it('after any line noise and a pause, still answers the next command (property)', async () => {
    await send('14 01', true);
    await until(() => expect(answers()).toHaveLength(1));
    // The pause is the emulator's 50-ms inter-byte timeout: fake time, so the property does not depend on the load.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (noise) => {
          const heard = emu.stats.bytesIn;
          await host.write(noise);
          while (emu.stats.bytesIn < heard + noise.length) await new Promise((r) => setImmediate(r));
          vi.advanceTimersByTime(60);
          frames.length = 0;
          await send('02', true);
          while (!answers().some((a) => a.type === 'info' && a.data[0] === 0x03))
            await new Promise((r) => setImmediate(r));
          expect(answers().at(-1)).toEqual(firmware);
        }),
        { numRuns: 25 },
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it('sleeps again after PowerDown', async () => {
    await send('14 01', true);
    await send('16 F0');
    await until(() => expect(answers()).toHaveLength(2));
    await send('02'); // asleep: not heard
    await send('14 01', true); // the wake-up byte: heard
    await until(() => expect(answers()).toHaveLength(3));
    expect(answers()).toEqual([
      { type: 'info', tfi: 0xd5, data: hex('15'), extended: false },
      { type: 'info', tfi: 0xd5, data: hex('17 00'), extended: false },
      { type: 'info', tfi: 0xd5, data: hex('15'), extended: false },
    ]);
  });
});
