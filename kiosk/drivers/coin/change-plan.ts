/**
 * Change in the fewest coins from the hoppers that can pay. Yen coins (10, 50, 100) form a canonical
 * system, so with every hopper full the greedy choice is optimal; with a hopper missing or limited it
 * may not be (e.g. 60 yen with no 10-yen hopper can still not be paid; 150 with two 100s but one 50 left),
 * so this is a small bounded dynamic programme over multiples of 10 yen. Pure code.
 */
export interface CoinStock {
  /** Coin value in yen (a multiple of 10). */
  yen: number;
  /** Coins that may be used: `Infinity` when the hopper's level sensor says it is not low. */
  max: number;
}

/** Coins per value (largest first) adding up to `amount` in the fewest coins, or `undefined` if impossible. */
export function planChange(amount: number, stocks: readonly CoinStock[]): Map<number, number> | undefined {
  if (!Number.isInteger(amount) || amount < 0 || amount % 10 !== 0)
    throw new TypeError('amount: a non-negative multiple of 10 is required');
  const units = amount / 10;
  const INF = Number.MAX_SAFE_INTEGER;
  // best[v] = fewest coins making v units; use[i][v] = coins of stock i used for v (for reconstruction).
  let best = new Array<number>(units + 1).fill(INF);
  best[0] = 0;
  const usable = stocks.filter((s) => s.yen > 0 && s.yen % 10 === 0 && s.max > 0);
  const choices: number[][] = [];
  for (const s of usable) {
    const step = s.yen / 10;
    const limit = Math.min(s.max, Math.floor(units / step));
    const next = best.slice();
    const chose = new Array<number>(units + 1).fill(0);
    for (let v = 0; v <= units; v++) {
      for (let k = 1; k <= limit && k * step <= v; k++) {
        const prev = best[v - k * step]!;
        if (prev !== INF && prev + k < next[v]!) {
          next[v] = prev + k;
          chose[v] = k;
        }
      }
    }
    choices.push(chose);
    best = next;
  }
  if (best[units] === INF) return undefined;
  // Walk back through the stocks in reverse order.
  const plan = new Map<number, number>();
  let v = units;
  for (let i = usable.length - 1; i >= 0; i--) {
    const k = choices[i]![v]!;
    if (k > 0) {
      const yen = usable[i]!.yen;
      plan.set(yen, (plan.get(yen) ?? 0) + k);
      v -= (k * yen) / 10;
    }
  }
  return new Map([...plan.entries()].sort((a, b) => b[0] - a[0]));
}

/** Number of coins in a plan. */
export function coinCount(plan: ReadonlyMap<number, number>): number {
  let n = 0;
  for (const c of plan.values()) n += c;
  return n;
}
