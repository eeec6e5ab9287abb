import { z } from 'zod';

export const CreateCodeBody = z.object({
  name: z.string().min(1).max(64).optional(),
  ttlMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
});

export const RevokeBody = z.object({ reason: z.string().min(1).max(200) });

export const StopBody = z.object({
  scope: z.string().regex(/^(fleet|\d{6})$/, 'scope: "fleet" or a 6-digit municipality code'),
  reason: z.string().min(1).max(200),
});

export const Paging = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export const KioskPaging = z.object({
  after: z.string().max(64).default(''),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export const Operator = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/);
