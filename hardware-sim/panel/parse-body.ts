import type { Context } from 'hono';
import type { z } from 'zod';
import { SimApiError } from '../core/device.js';

/** Parses a JSON request body from `unknown` with a schema; a bad body is `400 SIM_BAD_REQUEST`. */
export async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new SimApiError('SIM_BAD_REQUEST', 'body is not valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new SimApiError(
      'SIM_BAD_REQUEST',
      `invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
