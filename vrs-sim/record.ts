import { z } from 'zod';
import { PRODUCT_IDS } from './products.js';

/** One recorded vaccination. */
export const DoseSchema = z.object({
  /** 接種回数 (1–7). */
  seq: z.number().int().min(1).max(7),
  product: z.enum(PRODUCT_IDS),
  lot: z.string().min(1).max(20),
  /** 接種年月日, YYYY-MM-DD. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type Dose = z.infer<typeof DoseSchema>;

/** A passport registered in VRS for the overseas certificate (docs/reference.md §1.2). */
export const PassportSchema = z.object({
  number: z.string().regex(/^[A-Z0-9]{6,12}$/),
  /** ISO 3166-1 alpha-3 nationality/region. */
  nationality: z.string().regex(/^[A-Z]{3}$/),
  /** When the overseas certificate was first obtained (must be on or after 2022-07-21 for kiosk issuance). */
  registeredAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type Passport = z.infer<typeof PassportSchema>;

/**
 * The plaintext of one resident's record. Only ever held in memory; at rest it is sealed with the
 * municipality's data key (see `storage/record-box.ts`).
 */
export const ResidentRecordSchema = z.object({
  v: z.literal(1),
  myNumber: z.string().regex(/^\d{12}$/),
  /** 氏名 as on the card (kanji; 代替文字 for 外字). */
  name: z.string().min(1).max(100),
  nameKana: z.string().min(1).max(100),
  /** Passport-style romaji, "FAMILY GIVEN". */
  nameRomaji: z.string().min(1).max(100),
  /** YYYYMMDD, as on the card. */
  birthDate: z.string().regex(/^\d{8}$/),
  sex: z.enum(['1', '2', '9']),
  address: z.string().min(1).max(200),
  passport: PassportSchema.optional(),
  doses: z.array(DoseSchema).max(7),
});
export type ResidentRecord = z.infer<typeof ResidentRecordSchema>;
