import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PjlStatusDecoder, parsePjlMessage, MAX_PJL_MESSAGE } from './pjl-status.js';
import { paperLowFromPjlStatus, stateFromPjlStatus } from './printer-state.js';

const enc = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

const STREAM =
  '@PJL USTATUS DEVICE\r\nCODE=40021\r\nDISPLAY="12 PRINTER OPEN"\r\nONLINE=FALSE\r\n\f' +
  '@PJL USTATUS JOB\r\nSTART\r\nNAME="cert-1"\r\n\f' +
  '@PJL ECHO k1.abc\r\n\f' +
  '@PJL USTATUS JOB\r\nEND\r\nNAME = "cert-1"\r\nPAGES=2\r\nRESULT=OK\r\n\f' +
  '@PJL INFO STATUS\r\nCODE=10001\r\nDISPLAY="00 READY"\r\nONLINE=TRUE\r\n\f';

const EXPECTED = [
  { type: 'device', code: 40021, display: '12 PRINTER OPEN', online: false },
  { type: 'job-start', name: 'cert-1' },
  { type: 'echo', text: 'k1.abc' },
  { type: 'job-end', name: 'cert-1', pages: 2, result: 'OK' },
  { type: 'info-status', code: 10001, display: '00 READY', online: true },
];

describe('PJL status readback parser', () => {
  it('parses device, job, echo and info messages', () => {
    expect(new PjlStatusDecoder().push(enc(STREAM))).toEqual(EXPECTED);
  });

  it('gives the same messages however the stream is chunked (byte by byte, random splits)', () => {
    const d = new PjlStatusDecoder();
    expect([...enc(STREAM)].flatMap((b) => d.push(new Uint8Array([b])))).toEqual(EXPECTED);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 12 }), (cuts) => {
        const bytes = enc(STREAM);
        const points = [...new Set([0, ...cuts, bytes.length])].sort((a, b) => a - b);
        const dec = new PjlStatusDecoder();
        const got = points.slice(1).flatMap((end, i) => dec.push(bytes.subarray(points[i]!, end)));
        expect(got).toEqual(EXPECTED);
      }),
      { numRuns: 200 },
    );
  });

  it('parses an END without RESULT (older printers) and skips noise before a message', () => {
    const d = new PjlStatusDecoder();
    expect(d.push(enc('\r\n\x00garbage@PJL USTATUS JOB\nEND\nNAME="a"\nPAGES=3\n\f'))).toEqual([
      { type: 'job-end', name: 'a', pages: 3 },
    ]);
  });

  it('reports malformed and unknown messages instead of inventing values', () => {
    expect(parsePjlMessage('@PJL USTATUS DEVICE\r\nCODE=abc\r\nONLINE=TRUE')).toEqual({
      type: 'unknown',
      reason: 'malformed',
    });
    expect(parsePjlMessage('@PJL USTATUS JOB\r\nEND\r\nNAME="x"')).toEqual({
      type: 'unknown',
      reason: 'malformed',
    });
    expect(parsePjlMessage('@PJL INFO CONFIG\r\nX=1')).toEqual({
      type: 'unknown',
      reason: 'unknown-message',
    });
    expect(parsePjlMessage('@PJL USTATUS PAGE\r\n4')).toEqual({ type: 'page', page: 4 });
  });

  it('drops an over-long message and recovers at the next form feed', () => {
    const d = new PjlStatusDecoder();
    const out = d.push(enc('@' + 'A'.repeat(MAX_PJL_MESSAGE + 10)));
    expect(out).toEqual([{ type: 'unknown', reason: 'too-long' }]);
    expect(d.push(enc('more\f@PJL ECHO x\r\n\f'))).toEqual([{ type: 'echo', text: 'x' }]);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        new PjlStatusDecoder().push(bytes);
      }),
      { numRuns: 300 },
    );
  });
});

describe('PJL status codes to printer states', () => {
  it.each([
    [10001, true, 'ready'],
    [10002, false, 'offline'],
    [40021, false, 'cover-open'],
    [40022, false, 'jam'],
    [42102, false, 'jam'],
    [41101, false, 'paper-out'],
    [41104, false, 'paper-out'],
    [12103, true, 'ready'],
    [11101, false, 'paper-out'],
    [11101, true, 'ready'],
    [50001, false, 'offline'],
    [30010, true, 'ready'],
  ] as const)('%i online=%s → %s', (code, online, state) => {
    expect(stateFromPjlStatus(code, online)).toBe(state);
  });
  it('ignores parser messages (20xxx–27xxx)', () => {
    expect(stateFromPjlStatus(25001, true)).toBeNull();
  });
});

describe('paper level in PJL answers', () => {
  it('parses an INQUIRE answer, including "?" for a variable the printer does not know', () => {
    expect(parsePjlMessage('@PJL INQUIRE INTRAY1LEVEL\r\n37\r\n')).toEqual({
      type: 'inquire',
      variable: 'INTRAY1LEVEL',
      value: '37',
    });
    expect(parsePjlMessage('@PJL INQUIRE NOSUCH\r\n?')).toEqual({
      type: 'inquire',
      variable: 'NOSUCH',
      value: '?',
    });
    expect(parsePjlMessage('@PJL INQUIRE INTRAY1LEVEL\r\n')).toEqual({
      type: 'unknown',
      reason: 'malformed',
    });
  });
  it.each([
    [12103, true],
    [12203, true],
    [12101, false],
    [10001, false],
    [10006, false],
    [41104, false],
  ])('status %i says tray low: %s', (code, low) => {
    expect(paperLowFromPjlStatus(code)).toBe(low);
  });
});
