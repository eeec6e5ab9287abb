import { z } from 'zod';

const Device = z.enum(['printer', 'pinpad', 'coin-acceptor', 'hopper', 'reader', 'note-validator']);

/** One scenario step: exactly one action key per step. */
export const StepSchema = z.union([
  z.strictObject({ card: z.strictObject({ resident: z.string().min(1), mode: z.string().optional() }) }),
  z.strictObject({ removeCard: z.literal(true) }),
  z.strictObject({ pinTries: z.number().int().min(0).max(3) }),
  z.strictObject({ lockCard: z.literal(true) }),
  z.strictObject({ keys: z.string().regex(/^[0-9ECX]{1,32}$/) }),
  z.strictObject({
    coins: z
      .array(z.union([z.literal(10), z.literal(50), z.literal(100), z.literal(500), z.number().int().min(1)]))
      .min(1),
  }),
  z.strictObject({ notes: z.array(z.number().int().min(1)).min(1) }),
  z.strictObject({
    noteFault: z.enum(['jam', 'cash-box-full', 'return-next', 'clear', 'empty-cash-box', 'power-cycle']),
  }),
  z.strictObject({ fault: z.enum(['paper-out', 'cover-open', 'jam', 'offline', 'clear']) }),
  z.strictObject({ acceptorFault: z.enum(['jam', 'clear']) }),
  z.strictObject({
    hopper: z.strictObject({
      /** Which hopper: 10 (default), 50 or 100 yen. */
      yen: z.union([z.literal(10), z.literal(50), z.literal(100)]).optional(),
      coins: z.number().int().min(0).optional(),
      fault: z.enum(['empty', 'jam', 'clear']).optional(),
    }),
  }),
  z.strictObject({ unplug: Device }),
  z.strictObject({ plug: Device }),
  z.strictObject({ clearJobs: z.literal(true) }),
  z.strictObject({ wait: z.number().int().min(0).max(600_000) }),
  z.strictObject({
    waitFor: z.strictObject({
      device: z.string().min(1),
      event: z.string().min(1),
      timeoutMs: z.number().int().min(1).max(600_000).default(10_000),
    }),
  }),
  z.strictObject({
    expect: z.strictObject({
      printerJobs: z.number().int().min(0).optional(),
      printedPages: z.number().int().min(0).optional(),
      printerCondition: z.enum(['ready', 'paper-out', 'cover-open', 'jam', 'offline']).optional(),
      cardPresent: z.boolean().optional(),
      hopperCoins: z.number().int().min(0).optional(),
      acceptedYen: z.number().int().min(0).optional(),
      plugged: z.record(z.string(), z.boolean()).optional(),
    }),
  }),
]);
export type Step = z.infer<typeof StepSchema>;

export const ScenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  steps: z.array(StepSchema).min(1),
});
export type Scenario = z.infer<typeof ScenarioSchema>;
