import { z } from 'zod';

/** Text an operator types that is shown again: no control characters, no lone surrogates. */
const shownText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine(
      (v) =>
        !/\p{Cc}/u.test(v) &&
        !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v),
      'printable text',
    );

export const CreateCodeBody = z.object({
  name: z.string().min(1).max(64).optional(),
  store: shownText(80).optional(),
  municipality: z
    .string()
    .regex(/^\d{6}$/, '6-digit municipality code')
    .optional(),
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
