import { z } from 'zod';
import { text } from '../../protocol/index.js';

export const CreateCodeBody = z.object({
  name: text(64, 1).optional(),
  /** The store the kiosk will stand in (shown on the dashboard as text). */
  store: text(80, 1)
    .refine((v) => !/\p{Cc}/u.test(v), 'store: no control characters')
    .optional(),
  /** Its municipality (JIS X 0402); the API also checks that the code names a real one. */
  municipality: z
    .string()
    .regex(/^\d{6}$/, 'municipality: a 6-digit code')
    .optional(),
  ttlMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
});

export const RevokeBody = z.object({ reason: text(200, 1) });

export const StopBody = z.object({
  scope: z.string().regex(/^(fleet|\d{6})$/, 'scope: "fleet" or a 6-digit municipality code'),
  reason: text(200, 1),
});

export const Paging = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export const KioskPaging = z.object({
  after: text(64).default(''),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export const Operator = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/);

/** A ban's subject in a path: a source address or a kiosk id (both short, printable). */
export const BanSubject = text(64, 1);
