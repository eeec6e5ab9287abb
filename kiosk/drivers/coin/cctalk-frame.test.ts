import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CcTalkDecoder, encodeFrame, simpleChecksum } from './cctalk-frame.js';
import { eventsBetween, readCreditBuffer } from './credit-events.js';
import { yenOfCoinId } from './coin-acceptor.js';

describe('ccTalk frames', () => {
  it('encodes the simple poll to address 2 as 02 00 01 FE FF (the spec example)', () => {
    expect([...encodeFrame({ dest: 2, src: 1, header: 254 })]).toEqual([0x02, 0x00, 0x01, 0xfe, 0xff]);
    const f = encodeFrame({ dest: 1, src: 2, header: 0, data: [1, 2, 3] });
    expect([...f.subarray(0, 7)]).toEqual([1, 3, 2, 0, 1, 2, 3]);
    expect(simpleChecksum(f)).toBe(0);
  });

  it('refuses bad fields', () => {
    expect(() => encodeFrame({ dest: 256, src: 1, header: 0 })).toThrow(TypeError);
    expect(() => encodeFrame({ dest: 1, src: 1, header: 0, data: new Uint8Array(253) })).toThrow(TypeError);
  });

  const frames = [
    encodeFrame({ dest: 1, src: 2, header: 0, data: [] }),
    encodeFrame({ dest: 1, src: 2, header: 0, data: [7, 3, 1, 0, 2, 0, 0, 0, 0, 0, 0] }),
    encodeFrame({ dest: 1, src: 3, header: 0, data: [...'Payout'].map((c) => c.charCodeAt(0)) }),
  ];
  const stream = new Uint8Array(frames.flatMap((f) => [...f]));

  it('decodes the same frames however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 10 }), (cuts) => {
        const points = [...new Set([0, ...cuts, stream.length])].sort((a, b) => a - b);
        const d = new CcTalkDecoder();
        const got = points.slice(1).flatMap((end, i) => d.push(stream.subarray(points[i]!, end)));
        expect(got.map((r) => (r.ok ? [r.frame.src, r.frame.data.length] : r.code))).toEqual([
          [2, 0],
          [2, 11],
          [3, 6],
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('reports a corrupted frame, accepts no bogus frame from it, and decodes again after reset()', () => {
    const bad = frames[1]!.slice();
    bad[5] = bad[5]! ^ 0xff;
    const d = new CcTalkDecoder();
    const out = d.push(bad);
    expect(out[0]).toEqual({ ok: false, code: 'COIN_BAD_FRAME' });
    // Whatever the resync found in the remains, it is not a checksum-valid reply from the acceptor.
    expect(out.filter((r) => r.ok && r.frame.src === 2)).toEqual([]);
    d.reset(); // the bus resets before each command (and an inter-byte gap ends a frame)
    const next = d.push(frames[0]!);
    expect(next).toHaveLength(1);
    expect(next[0]!.ok).toBe(true);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        new CcTalkDecoder().push(b);
      }),
    );
  });
});

describe('event buffer (header 229) counting', () => {
  const reply = (counter: number, ...pairs: [number, number][]) => {
    const d = [counter];
    for (let i = 0; i < 5; i++) d.push(...(pairs[i] ?? [0, 0]));
    return new Uint8Array(d);
  };

  it('counts events between counters, wrapping 255 → 1 (0 only after reset)', () => {
    expect(eventsBetween(3, 3)).toBe(0);
    expect(eventsBetween(3, 5)).toBe(2);
    expect(eventsBetween(254, 1)).toBe(2);
    expect(eventsBetween(255, 1)).toBe(1);
  });

  it('gives nothing for a repeated poll, and both events after a lost reply, oldest first', () => {
    const first = readCreditBuffer(reply(5, [3, 1]), 4);
    expect(first).toEqual({
      ok: true,
      counter: 5,
      events: [{ type: 'credit', channel: 3 }],
      lost: 0,
      reset: false,
    });
    expect(readCreditBuffer(reply(5, [3, 1]), 5)).toMatchObject({ events: [] });
    expect(readCreditBuffer(reply(7, [4, 1], [0, 2], [3, 1]), 5)).toMatchObject({
      events: [
        { type: 'error', code: 2 },
        { type: 'credit', channel: 4 },
      ],
    });
  });

  it('flags events lost beyond the 5-entry buffer and a device reset', () => {
    expect(readCreditBuffer(reply(9, [1, 1], [1, 1], [1, 1], [1, 1], [1, 1]), 2)).toMatchObject({ lost: 2 });
    expect(readCreditBuffer(reply(0), 9)).toMatchObject({ reset: true, events: [] });
    expect(readCreditBuffer(new Uint8Array(3), 0)).toEqual({ ok: false, code: 'COIN_BAD_FRAME' });
  });

  it('values only yen coin ids', () => {
    expect(yenOfCoinId('JP100A')).toBe(100);
    expect(yenOfCoinId('JP500B')).toBe(500);
    expect(yenOfCoinId('JP005A')).toBeUndefined();
    expect(yenOfCoinId('......')).toBeUndefined();
    expect(yenOfCoinId('EU200A')).toBeUndefined();
  });
});
