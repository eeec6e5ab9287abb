import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameDecoder, type DecodedFrame } from './decoder.js';
import {
  ACK_FRAME,
  ERROR_FRAME,
  NACK_FRAME,
  TFI_HOST,
  TFI_PN532,
  WAKE_UP,
  encodeInfoFrame,
} from './frame.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (h) => parseInt(h, 16));
const toHex = (b: Uint8Array): string =>
  [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');

/** Feeds `bytes` split at the given cut points. */
function decodeSplit(bytes: Uint8Array, cuts: number[]): DecodedFrame[] {
  const d = new FrameDecoder();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: DecodedFrame[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(...d.push(bytes.subarray(prev, p)));
    prev = p;
  }
  return out;
}

describe('PN532 frame encoding (worked frames from docs/reference.md §4.1)', () => {
  const cases: [string, number, string, string][] = [
    ['GetFirmwareVersion', TFI_HOST, '02', '00 00 FF 02 FE D4 02 2A 00'],
    ['firmware answer', TFI_PN532, '03 32 01 06 07', '00 00 FF 06 FA D5 03 32 01 06 07 E8 00'],
    ['SAMConfiguration', TFI_HOST, '14 01', '00 00 FF 03 FD D4 14 01 17 00'],
    [
      'Diagnose libnfc',
      TFI_HOST,
      '00 00 6C 69 62 6E 66 63',
      '00 00 FF 09 F7 D4 00 00 6C 69 62 6E 66 63 BE 00',
    ],
    ['InListPassiveTarget B', TFI_HOST, '4A 01 03 00', '00 00 FF 05 FB D4 4A 01 03 00 DE 00'],
    [
      'one card',
      TFI_PN532,
      '4B 01 01 50 12 34 56 78 00 00 00 00 00 81 81 01 00',
      '00 00 FF 12 EE D5 4B 01 01 50 12 34 56 78 00 00 00 00 00 81 81 01 00 77 00',
    ],
    ['InDataExchange 90 00', TFI_PN532, '41 00 90 00', '00 00 FF 05 FB D5 41 00 90 00 5A 00'],
    [
      'SELECT 券面入力補助AP',
      TFI_HOST,
      '40 01 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08',
      '00 00 FF 12 EE D4 40 01 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08 79 00',
    ],
    ['InRelease', TFI_HOST, '52 00', '00 00 FF 03 FD D4 52 00 DA 00'],
    ['PowerDown', TFI_HOST, '16 F0', '00 00 FF 03 FD D4 16 F0 26 00'],
  ];
  it.each(cases)('%s', (_name, tfi, data, frame) => {
    expect(toHex(encodeInfoFrame(tfi, hex(data)))).toBe(frame);
    expect(new FrameDecoder().push(hex(frame))).toEqual([
      { type: 'info', tfi, data: hex(data), extended: false },
    ]);
  });

  it('switches to the extended form above 254 data bytes', () => {
    const data = new Uint8Array(300 - 36).map((_, i) => i & 0xff);
    data[0] = 0x41;
    const f = encodeInfoFrame(TFI_PN532, data);
    expect(toHex(f.subarray(0, 8))).toBe('00 00 FF FF FF 01 09 F6');
    expect(f.length).toBe(data.length + 11);
    expect(new FrameDecoder().push(f)).toEqual([{ type: 'info', tfi: TFI_PN532, data, extended: true }]);
    expect(encodeInfoFrame(TFI_PN532, new Uint8Array(254).fill(1))[3]).toBe(255);
  });

  it('refuses bad arguments', () => {
    expect(() => encodeInfoFrame(TFI_HOST, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeInfoFrame(TFI_HOST, new Uint8Array(265))).toThrow(RangeError);
    expect(() => encodeInfoFrame(256, Uint8Array.of(2))).toThrow(TypeError);
    expect(() => encodeInfoFrame(TFI_HOST, [2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => new FrameDecoder().push('00' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('FrameDecoder', () => {
  it('recognises ACK, NACK and the error frame', () => {
    const d = new FrameDecoder();
    expect(d.push(ACK_FRAME)).toEqual([{ type: 'ack' }]);
    expect(d.push(NACK_FRAME)).toEqual([{ type: 'nack' }]);
    expect(d.push(ERROR_FRAME)).toEqual([{ type: 'error' }]);
    expect(d.buffered).toBe(0);
  });

  it('skips the wake-up preamble before a frame', () => {
    const d = new FrameDecoder();
    const f = encodeInfoFrame(TFI_HOST, hex('14 01'));
    expect(d.push(new Uint8Array([...WAKE_UP, ...f]))).toEqual([
      { type: 'info', tfi: TFI_HOST, data: hex('14 01'), extended: false },
    ]);
  });

  it('reports a bad data checksum as corrupt and keeps going', () => {
    const bad = encodeInfoFrame(TFI_PN532, hex('41 00 90 00'));
    bad[bad.length - 2] = bad[bad.length - 2]! ^ 0x01;
    const good = encodeInfoFrame(TFI_PN532, hex('41 00 90 00'));
    expect(new FrameDecoder().push(new Uint8Array([...bad, ...good]))).toEqual([
      { type: 'corrupt', code: 'PN532_FRAME_BAD_DCS' },
      { type: 'info', tfi: TFI_PN532, data: hex('41 00 90 00'), extended: false },
    ]);
  });

  it('treats a bad length checksum as noise and resynchronises', () => {
    const d = new FrameDecoder();
    const garbage = hex('00 FF 05 00 D5 41 13 37 00 FF 12');
    const good = encodeInfoFrame(TFI_PN532, hex('03 32 01 06 07'));
    expect(d.push(new Uint8Array([...garbage, ...good]))).toEqual([
      { type: 'info', tfi: TFI_PN532, data: hex('03 32 01 06 07'), extended: false },
    ]);
    expect(d.skipped).toBeGreaterThan(0);
  });

  it('waits for the rest of a split frame', () => {
    const d = new FrameDecoder();
    const f = encodeInfoFrame(TFI_HOST, hex('4A 01 03 00'));
    for (let i = 0; i < f.length - 2; i++) expect(d.push(f.subarray(i, i + 1))).toEqual([]);
    expect(d.push(f.subarray(f.length - 2))).toHaveLength(1);
  });

  it('decodes any frame sequence, however it is chunked (property)', () => {
    const frameArb = fc.oneof(
      fc.constant({ bytes: ACK_FRAME, expect: { type: 'ack' } as DecodedFrame }),
      fc.constant({ bytes: NACK_FRAME, expect: { type: 'nack' } as DecodedFrame }),
      fc.constant({ bytes: ERROR_FRAME, expect: { type: 'error' } as DecodedFrame }),
      fc
        .tuple(fc.constantFrom(TFI_HOST, TFI_PN532), fc.uint8Array({ minLength: 1, maxLength: 264 }))
        .map(([tfi, data]) => ({
          bytes: encodeInfoFrame(tfi, data),
          expect: { type: 'info', tfi, data, extended: data.length > 254 } as DecodedFrame,
        })),
    );
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.constantFrom(0x00, 0x55), { maxLength: 4 }),
        (frames, cuts, lead) => {
          const bytes = new Uint8Array([...lead, ...frames.flatMap((f) => [...f.bytes])]);
          expect(decodeSplit(bytes, cuts)).toEqual(frames.map((f) => f.expect));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('recovers the next frame after arbitrary garbage that contains no start code (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat(), { maxLength: 6 }), (noise, cuts) => {
        const clean = noise.map((b, i) => (b === 0xff && (i === 0 || noise[i - 1] === 0x00) ? 0xfe : b));
        const good = encodeInfoFrame(TFI_PN532, hex('41 00 90 00'));
        const out = decodeSplit(new Uint8Array([...clean, 0x00, ...good]), cuts);
        expect(out.at(-1)).toEqual({
          type: 'info',
          tfi: TFI_PN532,
          data: hex('41 00 90 00'),
          extended: false,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws and never loses its footing on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (noise) => {
        const d = new FrameDecoder();
        d.push(noise);
        d.reset();
        const good = encodeInfoFrame(TFI_PN532, hex('4B 00'));
        expect(d.push(good)).toEqual([{ type: 'info', tfi: TFI_PN532, data: hex('4B 00'), extended: false }]);
      }),
      { numRuns: 300 },
    );
  });
});
