import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isValidMyNumber } from '../../protocol/mynumber.js';

/** One fictional test resident (`hardware-sim/fixtures/residents.json`, documented in its README). */
export const ResidentSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,32}$/),
  /** 券面事項入力補助用暗証番号. */
  pin: z.string().regex(/^[0-9]{4}$/),
  /** 利用者証明用暗証番号 (公的個人認証AP); the same as `pin` when absent (many residents set one value). */
  jpkiPin: z
    .string()
    .regex(/^[0-9]{4}$/)
    .optional(),
  myNumber: z.string().refine(isValidMyNumber, 'a 12-digit My Number with a valid check digit'),
  name: z.string().min(1),
  nameKana: z.string().min(1),
  nameRomaji: z.string().min(1),
  address: z.string().min(1),
  birthDate: z.string().regex(/^[0-9]{8}$/),
  sex: z.enum(['1', '2', '9']),
  municipality: z.string().regex(/^[0-9]{6}$/),
  passport: z.object({ number: z.string().min(1), nationality: z.string().length(3) }).optional(),
  locked: z.boolean().optional(),
  /** The 利用者証明用 PIN is locked (3 wrong tries). */
  jpkiLocked: z.boolean().optional(),
  cardMode: z.enum(['no-ap', 'slow']).optional(),
  notes: z.string(),
});
export type Resident = z.infer<typeof ResidentSchema>;

export const RESIDENTS_PATH = new URL('../fixtures/residents.json', import.meta.url);

/** Loads and validates the fixture file (ids must be unique). */
export function loadResidents(path: URL | string = RESIDENTS_PATH): Resident[] {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const list = z.array(ResidentSchema).parse(raw);
  const ids = new Set(list.map((r) => r.id));
  if (ids.size !== list.length) throw new Error('residents.json: duplicate resident ids');
  return list;
}
