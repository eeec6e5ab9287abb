import { myNumberCheckDigit } from '../../protocol/mynumber.js';
import { MUNICIPALITIES, findMunicipality, findPrefecture } from '../municipalities.js';
import type { Passport, ResidentRecord } from '../record.js';
import { generateDoses } from './doses.js';
import { FAMILY_NAMES, GIVEN_NAMES_FEMALE, GIVEN_NAMES_MALE, TOWNS } from './names.js';
import { Rng, hash32 } from './prng.js';

const BODY_SPACE = 100_000_000_000n; // 11-digit bodies
// 10 million numbers per municipality × 1,741 municipalities stays inside the 11-digit space.
const PER_MUNICIPALITY_SPACE = 10_000_000n;

/**
 * A permutation of the 11-digit space: body = (A·x + B) mod 10^11 with A coprime to 10, so distinct
 * (municipality, index) pairs never share a number. A and B depend on the seed.
 */
function permutation(seed: string): (x: bigint) => bigint {
  let a = BigInt(hash32(seed + '\0A')) * 2n + 1n;
  if (a % 5n === 0n) a += 2n;
  const b = BigInt(hash32(seed + '\0B')) * 7919n;
  return (x) => (a * x + b) % BODY_SPACE;
}

/** Makes the fictional residents of one municipality for one seed. */
export class ResidentGenerator {
  readonly #seed: string;
  readonly #perm: (x: bigint) => bigint;
  readonly #index: bigint;
  readonly #addressPrefix: string;
  readonly #base: number;

  constructor(seed: string | number, municipality: string) {
    const m = findMunicipality(municipality);
    if (m === undefined)
      throw new TypeError(`municipality: ${municipality} is not a participating municipality`);
    this.#seed = String(seed);
    this.#perm = permutation(this.#seed);
    this.#index = BigInt(MUNICIPALITIES.indexOf(m));
    this.#addressPrefix = (findPrefecture(m.prefecture)?.name ?? '') + m.name;
    this.#base = hash32(`${this.#seed}/${municipality}`);
  }

  /** The My Number of resident `i`: 11 permuted digits and the check digit. */
  myNumber(i: number): string {
    const body = this.#perm(this.#index * PER_MUNICIPALITY_SPACE + BigInt(i))
      .toString()
      .padStart(11, '0');
    return body + String(myNumberCheckDigit(body));
  }

  /** Resident `i` (0-based); the same (seed, municipality, i) always gives the same person. */
  resident(i: number): ResidentRecord {
    const rng = Rng.fromIndex(this.#base, i);
    const sex = rng.weighted<'1' | '2' | '9'>([
      ['1', 49],
      ['2', 50],
      ['9', 1],
    ]);
    const family = rng.pick(FAMILY_NAMES);
    const given = rng.pick(
      sex === '1'
        ? GIVEN_NAMES_MALE
        : sex === '2'
          ? GIVEN_NAMES_FEMALE
          : rng.pick([GIVEN_NAMES_MALE, GIVEN_NAMES_FEMALE]),
    );
    const year = rng.between(1925, 2018);
    const month = rng.between(1, 12);
    const day = rng.between(1, 28);
    const birthDate = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
    const address = `${this.#addressPrefix}${rng.pick(TOWNS)}${rng.between(1, 9)}丁目${rng.between(1, 30)}番${rng.between(1, 20)}号`;
    const record: ResidentRecord = {
      v: 1,
      myNumber: this.myNumber(i),
      name: `${family[0]} ${given[0]}`,
      nameKana: `${family[1]} ${given[1]}`,
      nameRomaji: `${family[2]} ${given[2]}`,
      birthDate,
      sex,
      address,
      doses: generateDoses(rng, birthDate),
    };
    if (rng.next() < 0.12) record.passport = generatePassport(rng);
    return record;
  }
}

/**
 * A fictional Japanese passport (two letters, seven digits). Most were registered in VRS on or after
 * 2022-07-21 (usable at the kiosk); one in ten earlier (the kiosk must refuse the overseas version).
 */
export function generatePassport(rng: Rng): Passport {
  const letters = String.fromCharCode(65 + rng.int(26), 65 + rng.int(26));
  const digits = String(rng.int(10_000_000)).padStart(7, '0');
  const early = rng.next() < 0.1;
  const registeredAt = early
    ? `2021-12-${String(rng.between(20, 31)).padStart(2, '0')}`
    : `2022-${String(rng.between(8, 12)).padStart(2, '0')}-${String(rng.between(1, 28)).padStart(2, '0')}`;
  return { number: letters + digits, nationality: 'JPN', registeredAt };
}
