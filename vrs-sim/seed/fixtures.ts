import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ResidentRecord } from '../record.js';
import { generateDoses } from './doses.js';
import { Rng } from './prng.js';

/**
 * The hardware simulator's fictional test residents (one file shared with the simulated cards). Read as
 * data from its path — VRS does not import the simulator's code.
 */
export const DEFAULT_FIXTURES_PATH = fileURLToPath(
  new URL('../../hardware-sim/fixtures/residents.json', import.meta.url),
);

export const FixtureResidentSchema = z.object({
  id: z.string().min(1),
  myNumber: z.string().regex(/^\d{12}$/),
  name: z.string().min(1),
  nameKana: z.string().min(1),
  nameRomaji: z.string().min(1),
  address: z.string().min(1),
  birthDate: z.string().regex(/^\d{8}$/),
  sex: z.enum(['1', '2', '9']),
  municipality: z.string().regex(/^\d{6}$/),
  passport: z.object({ number: z.string(), nationality: z.string().length(3) }).optional(),
  notes: z.string(),
});
export type FixtureResident = z.infer<typeof FixtureResidentSchema>;

export function loadFixtures(path = DEFAULT_FIXTURES_PATH): FixtureResident[] {
  return z.array(FixtureResidentSchema).parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** The resident the fixture file marks as having no vaccination records in VRS. */
export function hasNoRecords(f: FixtureResident): boolean {
  return /no vaccination records/i.test(f.notes) || f.id === 'norecords';
}

/**
 * The VRS record of a fixture resident: the card's data plus doses (deterministic from the seed). The
 * long-name resident gets all seven doses so the certificate's size limits are tested at their worst.
 */
export function fixtureRecord(f: FixtureResident, seed: string | number): ResidentRecord {
  const rng = new Rng(`${seed}/fixture/${f.id}`);
  const longest = f.id === 'longname' || f.name.length > 30;
  const record: ResidentRecord = {
    v: 1,
    myNumber: f.myNumber,
    name: f.name,
    nameKana: f.nameKana,
    nameRomaji: f.nameRomaji,
    birthDate: f.birthDate,
    sex: f.sex,
    address: f.address,
    doses: generateDoses(rng, f.birthDate, longest ? 7 : 3),
  };
  if (f.passport !== undefined)
    record.passport = {
      number: f.passport.number,
      nationality: f.passport.nationality,
      registeredAt: '2022-08-01',
    };
  return record;
}
