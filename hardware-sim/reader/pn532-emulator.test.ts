import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
  const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));
  const answers = () => frames.filter((f) => f.type !== 'ack');

  it('stays asleep (no ACK) until the HSU wake-up byte 0x55', async () => {
    await send('02');
    await settle();
    expect(frames).toEqual([]);
    await send('14 01', true);
    await settle();
    expect(frames).toEqual([{ type: 'ack' }, { type: 'info', tfi: 0xd5, data: hex('15'), extended: false }]);
  });

  it('answers GetFirmwareVersion, echoes the Diagnose communication test, errors on unknown commands', async () => {
    await send('14 01', true);
    await send('02');
    await send('00 00 6C 69 62 6E 66 63');
    await send('FE 01');
    await settle();
    expect(answers()).toEqual([
      { type: 'info', tfi: 0xd5, data: hex('15'), extended: false },
      { type: 'info', tfi: 0xd5, data: hex('03 32 01 06 07'), extended: false },
      { type: 'info', tfi: 0xd5, data: hex('01 00 6C 69 62 6E 66 63'), extended: false },
      { type: 'error' },
    ]);
  });

  it('resends its last answer on a NACK', async () => {
    await send('14 01', true);
    await send('02');
    await settle();
    frames.length = 0;
    await host.write(NACK_FRAME);
    await settle();
    expect(frames).toEqual([{ type: 'info', tfi: 0xd5, data: hex('03 32 01 06 07'), extended: false }]);
  });

  it('with infinite retries, InListPassiveTarget waits for a card; an ACK from the host aborts it', async () => {
    await send('14 01', true);
    await send('32 05 FF FF FF');
    await send('4A 01 03 00');
    await settle();
    expect(answers()).toHaveLength(2);
    await host.write(ACK_FRAME); // abort
    await settle();
    emu.placeCard(newCard(), 'normal');
    await settle();
    expect(answers()).toHaveLength(2); // the aborted command never answers
    await send('4A 01 03 00');
    await settle();
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
    await settle();
    emu.removeCard();
    await send('40 01 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08');
    await settle(60);
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
    slow.placeCard(newCard(), 'slow');
    await tx('14 01', true);
    await tx('4A 01 03 00');
    await settle();
    await tx('40 01 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08');
    await settle(10);
    await pair.host.write(ACK_FRAME);
    await settle(120);
    expect(got.filter((f) => f.type === 'info').map((f) => (f.type === 'info' ? f.data[0] : 0))).toEqual([
      0x15, 0x4b,
    ]);
    slow.detach();
  });

  it('after any line noise and a pause, still answers the next command (property)', async () => {
    await send('14 01', true);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (noise) => {
        frames.length = 0;
        await host.write(noise);
        await settle(70);
        frames.length = 0;
        await send('02', true);
        await settle(20);
        expect(answers().at(-1)).toEqual({
          type: 'info',
          tfi: 0xd5,
          data: hex('03 32 01 06 07'),
          extended: false,
        });
      }),
      { numRuns: 25 },
    );
  });

  it('sleeps again after PowerDown', async () => {
    await send('14 01', true);
    await send('16 F0');
    await settle();
    await send('02');
    await settle();
    expect(answers()).toEqual([
      { type: 'info', tfi: 0xd5, data: hex('15'), extended: false },
      { type: 'info', tfi: 0xd5, data: hex('17 00'), extended: false },
    ]);
  });
});
