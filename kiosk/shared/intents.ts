import { z } from 'zod';

/**
 * What the renderer may ask of the main process. Parsed from `unknown` on the main side (IPC or the
 * loopback bridge is a trust boundary): anything else is refused with `KIOSK_BAD_INTENT`.
 */
export const IntentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  z.object({ type: z.literal('choose-service'), service: z.literal('covid-vaccine-certificate') }),
  z.object({ type: z.literal('choose-municipality'), code: z.string().regex(/^\d{6}$/) }),
  z.object({ type: z.literal('choose-cert-type'), certType: z.enum(['domestic', 'overseas']) }),
  z.object({ type: z.literal('choose-copies'), copies: z.number().int().min(1).max(99) }),
  z.object({ type: z.literal('confirm') }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('retry-print') }),
  z.object({ type: z.literal('refund') }),
  z.object({ type: z.literal('done') }),
  z.object({ type: z.literal('activity') }),
]);

export type Intent = z.infer<typeof IntentSchema>;
export type IntentType = Intent['type'];

/** The answer to an intent. Refusals are expected (a stale button press), not exceptions. */
export type IntentResult = { ok: true } | { ok: false; code: 'KIOSK_BAD_INTENT' | 'KIOSK_INTENT_NOT_NOW' };
