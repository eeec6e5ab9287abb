import { PRODUCTS, type ProductId } from '../products.js';
import type { Dose } from '../record.js';
import type { Rng } from './prng.js';

const DAY = 86_400_000;
const START = Date.UTC(2021, 1, 17); // first vaccinations in Japan (healthcare workers)
const END = Date.UTC(2024, 2, 31); // the certificate service ended 2024-03-31

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

function lotFor(rng: Rng, product: ProductId): string {
  let lot = '';
  for (const c of PRODUCTS[product].lotPattern)
    lot += c === 'A' ? String.fromCharCode(65 + rng.int(26)) : c === '9' ? String(rng.int(10)) : c;
  return lot;
}

function productFor(
  rng: Rng,
  seq: number,
  childAt: (t: number) => 'baby' | 'child' | 'adult',
  t: number,
): ProductId {
  const age = childAt(t);
  if (age === 'baby') return 'comirnaty-6mto4';
  if (age === 'child') return 'comirnaty-5to11';
  if (seq <= 2)
    return rng.weighted<ProductId>([
      ['comirnaty', 70],
      ['spikevax', 25],
      ['vaxzevria', 2],
      ['nuvaxovid', 2],
      ['jcovden', 1],
    ]);
  if (seq <= 3 || t < Date.UTC(2022, 8, 20))
    return rng.weighted<ProductId>([
      ['comirnaty', 55],
      ['spikevax', 40],
      ['nuvaxovid', 5],
    ]);
  if (t < Date.UTC(2022, 9, 15))
    return rng.weighted<ProductId>([
      ['comirnaty-ba1', 55],
      ['spikevax-ba1', 45],
    ]);
  return rng.weighted<ProductId>([
    ['comirnaty-ba45', 60],
    ['spikevax-ba45', 40],
  ]);
}

/**
 * 1–7 doses (or exactly `count`) on plausible dates between February 2021 and March 2024, with products of
 * the period and lot numbers in each maker's format. `birthDate` is YYYYMMDD.
 */
export function generateDoses(rng: Rng, birthDate: string, count?: number): Dose[] {
  const want =
    count ??
    rng.weighted([
      [1, 3],
      [2, 17],
      [3, 30],
      [4, 20],
      [5, 15],
      [6, 10],
      [7, 5],
    ]);
  const born = Date.UTC(
    Number(birthDate.slice(0, 4)),
    Number(birthDate.slice(4, 6)) - 1,
    Number(birthDate.slice(6, 8)),
  );
  const ageAt = (t: number): 'baby' | 'child' | 'adult' => {
    const years = (t - born) / (365.25 * DAY);
    return years < 5 ? 'baby' : years < 12 ? 'child' : 'adult';
  };
  // Children's vaccination began later; when there is no room for `want` doses, fewer are given.
  const earliest = Math.max(START, born + 183 * DAY);
  const doses: Dose[] = [];
  let t = earliest + rng.int(240) * DAY;
  for (let seq = 1; seq <= want; seq++) {
    if (seq > 1) {
      const gap = seq === 2 ? 21 + rng.int(8) : seq === 3 ? 180 + rng.int(120) : 90 + rng.int(120);
      t += gap * DAY;
    }
    if (t > END) break;
    const product = productFor(rng, seq, ageAt, t);
    doses.push({ seq, product, lot: lotFor(rng, product), date: iso(t) });
  }
  if (doses.length === 0) {
    const product = productFor(rng, 1, ageAt, END - DAY);
    doses.push({ seq: 1, product, lot: lotFor(rng, product), date: iso(END - DAY) });
  }
  return doses;
}
