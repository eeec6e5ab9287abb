import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MIN_CELL, suppressSmallCells, suppressSmallOutcomes } from './aggregates.js';
import type { MunicipalityCounts } from './storage/store.js';

const row = (cells: number[]): MunicipalityCounts => ({
  municipality: '131016',
  prefecture: '13',
  residents: cells.reduce((a, b) => a + b, 0),
  doses: cells.reduce((a, n, i) => a + n * i, 0),
  residentsByDoseCount: cells,
  shredded: false,
});

describe('small-cell suppression', () => {
  it('hides cells of 1 to 9, the dose total with them, and a second cell so none can be recomputed', () => {
    const p = suppressSmallCells(row([0, 0, 120, 340, 1, 0, 0, 0]));
    expect(p.residentsByDoseCount).toEqual([0, 0, null, 340, null, 0, 0, 0]);
    expect(p.residents).toBe(461);
    expect(p.doses).toBeNull();
    expect(p.suppressed).toBe(true);
  });

  it('hides the total when the one small cell is the only non-zero one, and a small total hides the row', () => {
    expect(suppressSmallCells(row([0, 0, 0, 0, 0, 0, 0, 0]))).toMatchObject({
      residents: 0,
      suppressed: false,
    });
    const lone = suppressSmallCells(row([0, 0, 0, 3, 0, 0, 0, 0]));
    expect(lone).toMatchObject({ residents: null, doses: null, suppressed: true });
    const fewer = suppressSmallCells(row([0, 4, 0, 0, 0, 0, 0, 5]));
    expect(fewer.residents).toBeNull();
    expect(fewer.residentsByDoseCount.every((n) => n === null || n === 0)).toBe(true);
  });

  it('leaves a row of large cells as it is', () => {
    const r = row([10, 20, 30, 40, 50, 60, 70, 80]);
    expect(suppressSmallCells(r)).toEqual({ ...r, suppressed: false });
  });

  it('never shows a small count, nor lets one be recomputed from the total (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 40 }), { minLength: 8, maxLength: 8 }), (cells) => {
        const p = suppressSmallCells(row(cells));
        for (const n of [p.residents, p.doses, ...p.residentsByDoseCount])
          expect(n === null || n === 0 || n >= MIN_CELL).toBe(true);
        // With the total shown, never exactly one hidden cell (it would be total minus the rest).
        if (p.residents !== null) expect(p.residentsByDoseCount.filter((n) => n === null).length).not.toBe(1);
        if (p.suppressed) expect(p.doses).toBeNull();
      }),
    );
  });

  it('hides small outcome counts', () => {
    expect(
      suppressSmallOutcomes([
        { municipality: '131016', outcome: 'issued', n: 12 },
        { municipality: '131016', outcome: 'refused', n: 1 },
      ]),
    ).toEqual([
      { municipality: '131016', outcome: 'issued', n: 12 },
      { municipality: '131016', outcome: 'refused', n: null },
    ]);
  });
});
