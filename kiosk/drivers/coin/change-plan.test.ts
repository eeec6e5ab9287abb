import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { coinCount, planChange } from './change-plan.js';

const all = [
  { yen: 100, max: Infinity },
  { yen: 50, max: Infinity },
  { yen: 10, max: Infinity },
];

describe('change in the fewest coins', () => {
  it('pays 30 as three 10s, 80 as 50 + 3 × 10, 380 as 3 × 100 + 50 + 3 × 10, 100 as one coin', () => {
    expect(planChange(30, all)).toEqual(new Map([[10, 3]]));
    expect(planChange(80, all)).toEqual(
      new Map([
        [50, 1],
        [10, 3],
      ]),
    );
    expect(planChange(380, all)).toEqual(
      new Map([
        [100, 3],
        [50, 1],
        [10, 3],
      ]),
    );
    expect(planChange(100, all)).toEqual(new Map([[100, 1]]));
    expect(planChange(0, all)).toEqual(new Map());
  });

  it('works around an empty or short hopper, and says when change cannot be paid', () => {
    const no10 = [all[0]!, all[1]!];
    expect(planChange(30, no10)).toBeUndefined();
    expect(planChange(150, no10)).toEqual(
      new Map([
        [100, 1],
        [50, 1],
      ]),
    );
    expect(planChange(100, [{ yen: 100, max: 0 }, all[1]!, all[2]!])).toEqual(new Map([[50, 2]]));
    expect(
      planChange(60, [
        { yen: 50, max: 1 },
        { yen: 10, max: 0 },
      ]),
    ).toBeUndefined();
    expect(
      planChange(200, [
        { yen: 100, max: 1 },
        { yen: 50, max: 1 },
        { yen: 10, max: 5 },
      ]),
    ).toEqual(
      new Map([
        [100, 1],
        [50, 1],
        [10, 5],
      ]),
    );
  });

  it('always adds up, never exceeds a stock, and matches greedy when every hopper is full', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }).map((u) => u * 10),
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 3, maxLength: 3 }),
        (amount, maxes) => {
          const stocks = [100, 50, 10].map((yen, i) => ({ yen, max: maxes[i]! }));
          const plan = planChange(amount, stocks);
          if (plan) {
            expect([...plan].reduce((s, [y, n]) => s + y * n, 0)).toBe(amount);
            for (const s of stocks) expect(plan.get(s.yen) ?? 0).toBeLessThanOrEqual(s.max);
          }
          const full = planChange(amount, all)!;
          let greedy = 0;
          let left = amount;
          for (const y of [100, 50, 10]) {
            greedy += Math.floor(left / y);
            left %= y;
          }
          expect(coinCount(full)).toBe(greedy);
        },
      ),
    );
  });
});
