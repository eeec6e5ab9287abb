import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BootKeyboardDecoder, encodeBootReport, keyOfUsage, usageOfDigit, USAGE } from './boot-report.js';

const r = (...usages: number[]) => encodeBootReport(usages);

describe('boot keyboard reports', () => {
  it('maps keypad usages to keys', () => {
    expect(keyOfUsage(0x59)).toEqual({ type: 'digit', digit: 1 });
    expect(keyOfUsage(0x61)).toEqual({ type: 'digit', digit: 9 });
    expect(keyOfUsage(0x62)).toEqual({ type: 'digit', digit: 0 });
    expect(keyOfUsage(0x58)).toEqual({ type: 'enter' });
    expect(keyOfUsage(0x2a)).toEqual({ type: 'clear' });
    expect(keyOfUsage(0x29)).toEqual({ type: 'cancel' });
    expect(keyOfUsage(0x53)).toEqual({ type: 'other', usage: 0x53 });
    for (let d = 0; d <= 9; d++) expect(keyOfUsage(usageOfDigit(d))).toEqual({ type: 'digit', digit: d });
    expect(() => usageOfDigit(10)).toThrow(TypeError);
  });

  it('turns usages appearing and disappearing into presses and releases, with rollover', () => {
    const d = new BootKeyboardDecoder();
    expect(d.push(r(0x59))).toEqual({ ok: true, pressed: [0x59], released: [] });
    expect(d.push(r(0x59, 0x5a))).toEqual({ ok: true, pressed: [0x5a], released: [] });
    expect(d.push(r(0x5a))).toEqual({ ok: true, pressed: [], released: [0x59] });
    // Key repeat does not exist in reports: the same report again changes nothing.
    expect(d.push(r(0x5a))).toEqual({ ok: true, pressed: [], released: [] });
    expect(d.push(r())).toEqual({ ok: true, pressed: [], released: [0x5a] });
  });

  it('ignores ErrorRollOver reports and keeps the keys held before', () => {
    const d = new BootKeyboardDecoder();
    d.push(r(0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e));
    const phantom = r(1, 2, 3, 4, 5, 6, 7);
    expect([...phantom.subarray(2)]).toEqual(Array(6).fill(USAGE.errorRollOver));
    expect(d.push(phantom)).toEqual({ ok: true, pressed: [], released: [] });
    expect(d.push(r(0x59))).toEqual({ ok: true, pressed: [], released: [0x5a, 0x5b, 0x5c, 0x5d, 0x5e] });
  });

  it('refuses reports that are not 8 bytes', () => {
    const d = new BootKeyboardDecoder();
    expect(d.push(new Uint8Array(7))).toEqual({ ok: false, code: 'PINPAD_BAD_REPORT' });
    expect(d.push(new Uint8Array(9))).toEqual({ ok: false, code: 'PINPAD_BAD_REPORT' });
  });

  it('reports every press exactly once for any sequence of held-key sets', () => {
    const usage = fc.integer({ min: 0x04, max: 0x63 });
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(usage, { maxLength: 6 }), { maxLength: 30 }), (states) => {
        const d = new BootKeyboardDecoder();
        let held: number[] = [];
        let presses = 0;
        let expected = 0;
        for (const s of [...states, []]) {
          expected += s.filter((u) => !held.includes(u)).length;
          const c = d.push(r(...s));
          if (!c.ok) throw new Error('unexpected');
          presses += c.pressed.length;
          held = s;
        }
        expect(presses).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
