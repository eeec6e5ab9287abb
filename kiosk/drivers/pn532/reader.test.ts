import { describe, expect, it } from 'vitest';
import type { SerialTransport } from '../transport.js';
import { FrameDecoder } from './decoder.js';
import { ACK_FRAME, ERROR_FRAME, TFI_PN532, encodeInfoFrame } from './frame.js';
import { Pn532Reader } from './reader.js';
import { memorySerialPair } from '../../../hardware-sim/reader/testing/memory-pair.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (h) => parseInt(h, 16));

/**
 * A scripted peer on an in-memory line: for each host command, `answer(code, params)` returns the bytes to
 * send back (ACK included or not), so the driver's handling of misbehaving chips can be tested.
 */
function scriptedReader(
  answer: (code: number, params: Uint8Array) => Uint8Array[] | undefined,
  onNack?: () => Uint8Array[],
) {
  const pair = memorySerialPair();
  const dec = new FrameDecoder();
  const seen: number[] = [];
  void pair.device.open();
  pair.device.onData((chunk) => {
    for (const f of dec.push(chunk)) {
      if (f.type === 'nack') for (const bytes of onNack?.() ?? []) void pair.device.write(bytes);
      if (f.type !== 'info') continue;
      seen.push(f.data[0]!);
      for (const bytes of answer(f.data[0]!, f.data.subarray(1)) ?? []) void pair.device.write(bytes);
    }
  });
  let opened = 0;
  const reader = new Pn532Reader({
    transport: (): SerialTransport => {
      opened++;
      return pair.host;
    },
    timeouts: { commandMs: 80, wakeUpMs: 80, listMs: 80, exchangeMs: 80, presenceMs: 80 },
    reconnect: false,
    heartbeatMs: 0,
  });
  return { reader, seen, opened: () => opened };
}

const ok = (code: number, data = '') => [
  ACK_FRAME,
  encodeInfoFrame(TFI_PN532, hex(`${(code + 1).toString(16)} ${data}`)),
];
const chip = (firmware: string) => (code: number) => {
  if (code === 0x02) return ok(code, firmware);
  if (code === 0x14 || code === 0x32) return ok(code);
  return undefined;
};

describe('Pn532Reader against misbehaving peers (in-memory line)', () => {
  it('reports READER_TIMEOUT when nothing answers', async () => {
    const { reader } = scriptedReader(() => undefined);
    expect(await reader.open()).toEqual({ ok: false, code: 'READER_TIMEOUT' });
    expect(reader.state).toBe('disconnected');
  });

  it('reports READER_NOT_PN532 for another chip (IC ≠ 0x32)', async () => {
    const { reader } = scriptedReader(chip('33 01 06 07'));
    expect(await reader.open()).toEqual({ ok: false, code: 'READER_NOT_PN532' });
  });

  it('reports READER_NO_TYPE_B when the firmware lacks ISO 14443B', async () => {
    const { reader } = scriptedReader(chip('32 01 06 05'));
    expect(await reader.open()).toEqual({ ok: false, code: 'READER_NO_TYPE_B' });
  });

  it('reports the application error frame as READER_PROTOCOL_ERROR', async () => {
    const { reader } = scriptedReader((code) => (code === 0x14 ? [ACK_FRAME, ERROR_FRAME] : undefined));
    expect(await reader.open()).toEqual({ ok: false, code: 'READER_PROTOCOL_ERROR' });
  });

  it('accepts an answer whose ACK was lost, and ignores answers to other commands', async () => {
    const { reader } = scriptedReader((code) => {
      if (code === 0x14)
        return [encodeInfoFrame(TFI_PN532, hex('03 32 01 06 07')), encodeInfoFrame(TFI_PN532, hex('15'))];
      return chip('32 01 06 07')(code);
    });
    expect((await reader.open()).ok).toBe(true);
  });

  it('NACKs a corrupt answer and takes the resent one', async () => {
    const good = encodeInfoFrame(TFI_PN532, hex('15'));
    const bad = good.slice();
    bad[bad.length - 2] = bad[bad.length - 2]! ^ 0xff;
    const { reader } = scriptedReader(
      (code) => (code === 0x14 ? [ACK_FRAME, bad] : chip('32 01 06 07')(code)),
      () => [good],
    );
    expect((await reader.open()).ok).toBe(true);
    expect(reader.stats.nacksSent).toBe(1);
  });

  it('gives up after three corrupt resends (READER_PROTOCOL_ERROR)', async () => {
    const bad = encodeInfoFrame(TFI_PN532, hex('15'));
    bad[bad.length - 2] = bad[bad.length - 2]! ^ 0xff;
    const { reader } = scriptedReader(
      (code) => (code === 0x14 ? [ACK_FRAME, bad] : undefined),
      () => [bad],
    );
    expect(await reader.open()).toEqual({ ok: false, code: 'READER_PROTOCOL_ERROR' });
    expect(reader.stats.nacksSent).toBe(3);
  });

  it('refuses an answer it cannot parse from InListPassiveTarget', async () => {
    const { reader } = scriptedReader((code) =>
      code === 0x4a ? ok(code, '01 01 99') : chip('32 01 06 07')(code),
    );
    expect((await reader.open()).ok).toBe(true);
    expect(await reader.listTypeB()).toEqual({ ok: false, code: 'READER_PROTOCOL_ERROR' });
  });

  it('maps InDataExchange status codes: 01/29/2B → CARD_REMOVED, others → CARD_READ_FAILED', async () => {
    let status = '01';
    const { reader } = scriptedReader((code) => {
      if (code === 0x4a) return ok(code, '01 01 50 12 34 56 78 00 00 00 00 00 81 81 01 00');
      if (code === 0x40) return ok(code, status);
      return chip('32 01 06 07')(code);
    });
    expect((await reader.open()).ok).toBe(true);
    const apdu = hex('00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08');
    for (const [s, code] of [
      ['01', 'CARD_REMOVED'],
      ['29', 'CARD_REMOVED'],
      ['2b', 'CARD_REMOVED'],
      ['02', 'CARD_READ_FAILED'],
      ['0b', 'CARD_READ_FAILED'],
      ['80 90 00', 'CARD_READ_FAILED'],
    ] as const) {
      status = s;
      expect((await reader.listTypeB()).ok).toBe(true);
      expect(await reader.exchange(apdu)).toEqual({ ok: false, code });
    }
  });

  it('throws on bad options (a bad caller)', () => {
    expect(() => new Pn532Reader({} as never)).toThrow(TypeError);
    expect(
      () => new Pn532Reader({ transport: () => memorySerialPair().host, timeouts: { commandMs: 0 } }),
    ).toThrow(TypeError);
  });
});
