import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COMMAND, Id003Decoder, STATUS, crc16, encodeMessage, parseCurrencyAssign } from './id003-frame.js';

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

describe('ID-003 messages', () => {
  it('encodes the specification examples: status request FC 05 11 27 56, ACK FC 05 50 AA 05', () => {
    expect(hex(encodeMessage(COMMAND.statusRequest))).toBe('fc 05 11 27 56');
    expect(hex(encodeMessage(COMMAND.ack))).toBe('fc 05 50 aa 05');
    // CRC-16/KERMIT's published check value over "123456789".
    expect(crc16([...'123456789'].map((c) => c.charCodeAt(0)))).toBe(0x2189);
  });

  it('counts SYNC, LNG and CRC in LNG and refuses bad arguments', () => {
    const m = encodeMessage(COMMAND.setInhibit, [1]);
    expect(m[1]).toBe(6);
    expect(m.length).toBe(6);
    expect(() => encodeMessage(256)).toThrow(TypeError);
    expect(() => encodeMessage(0x11, new Uint8Array(251))).toThrow(TypeError);
  });

  const messages = [
    encodeMessage(STATUS.idling),
    encodeMessage(STATUS.escrow, [0x61]),
    encodeMessage(COMMAND.requestCurrencyAssign, [0x61, 0, 1, 3, 0x63, 0, 5, 3]),
    encodeMessage(STATUS.rejecting, [0x71]),
  ];
  const stream = new Uint8Array(messages.flatMap((m) => [...m]));

  it('decodes the same messages however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set([0, ...cuts, stream.length])].sort((a, b) => a - b);
        const d = new Id003Decoder();
        const got = points.slice(1).flatMap((end, i) => d.push(stream.subarray(points[i]!, end)));
        expect(got.map((r) => (r.ok ? [r.message.cmd, r.message.data.length] : r.code))).toEqual([
          [STATUS.idling, 0],
          [STATUS.escrow, 1],
          [COMMAND.requestCurrencyAssign, 8],
          [STATUS.rejecting, 1],
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('skips noise before SYNC, reports a corrupted message and finds the next one', () => {
    const bad = messages[1]!.slice();
    bad[3] = bad[3]! ^ 0x01;
    const d = new Id003Decoder();
    const out = d.push(new Uint8Array([0x00, 0x13, ...bad, ...messages[0]!]));
    expect(out[0]).toEqual({ ok: false, code: 'NOTE_BAD_FRAME' });
    expect(out.filter((r) => r.ok).map((r) => r.ok && r.message.cmd)).toEqual([STATUS.idling]);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        new Id003Decoder().push(b);
      }),
    );
  });

  it('reads the currency table as escrow code → yen', () => {
    expect(parseCurrencyAssign(new Uint8Array([0x61, 0, 1, 3, 0x64, 0, 1, 4]))).toEqual(
      new Map([
        [0x61, 1000],
        [0x64, 10000],
      ]),
    );
    expect(parseCurrencyAssign(new Uint8Array([0x61, 0, 1]))).toBeUndefined();
  });
});
