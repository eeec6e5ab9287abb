import type { MunicipalityCounts } from './storage/store.js';

/**
 * Small-cell suppression for the aggregate roles (prefecture, national), as official statistics publish
 * counts of people: a count from 1 to `MIN_CELL - 1` could point at a person ("the one resident of this town
 * with seven doses"), so it is published as `null`. Zero is shown.
 *
 * Complementary suppression: a single hidden cell could be recomputed from the row's total, so a second
 * cell (the smallest shown non-zero one) is hidden with it, or the total when there is none; and `doses`
 * (a weighted sum of the cells) is hidden whenever a cell is. A total under the minimum hides the row.
 */
export const MIN_CELL = 10;

export const SUPPRESSION_NOTE =
  `counts from 1 to ${MIN_CELL - 1} are suppressed (null), with further cells or totals where they could be ` +
  'recomputed (complementary suppression); zero is shown';

export interface PublishedCounts {
  municipality: string;
  prefecture: string;
  residents: number | null;
  doses: number | null;
  residentsByDoseCount: (number | null)[];
  shredded: boolean;
  /** Whether any figure of this row was withheld. */
  suppressed: boolean;
}

const small = (n: number, min: number) => n > 0 && n < min;

/** Publishes one municipality's counts with small cells suppressed. Pure. */
export function suppressSmallCells(c: MunicipalityCounts, min = MIN_CELL): PublishedCounts {
  const cells: (number | null)[] = c.residentsByDoseCount.map((n) => (small(n, min) ? null : n));
  let residents: number | null = c.residents;
  if (small(c.residents, min)) {
    residents = null;
    for (let i = 0; i < cells.length; i++) if (c.residentsByDoseCount[i] !== 0) cells[i] = null;
  }
  const hidden = () => cells.filter((x) => x === null).length;
  if (residents !== null && hidden() === 1) {
    let best = -1;
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i];
      if (v !== null && v !== undefined && v > 0 && (best < 0 || v < (cells[best] ?? Infinity))) best = i;
    }
    if (best >= 0) cells[best] = null;
    else residents = null;
  }
  const suppressed = residents === null || hidden() > 0;
  return {
    municipality: c.municipality,
    prefecture: c.prefecture,
    residents,
    doses: suppressed ? null : c.doses,
    residentsByDoseCount: cells,
    shredded: c.shredded,
    suppressed,
  };
}

/** The same for issuance outcome counts (no totals are published, so primary suppression suffices). */
export function suppressSmallOutcomes<T extends { n: number }>(
  rows: readonly T[],
  min = MIN_CELL,
): (Omit<T, 'n'> & { n: number | null })[] {
  return rows.map((r) => ({ ...r, n: small(r.n, min) ? null : r.n }));
}
