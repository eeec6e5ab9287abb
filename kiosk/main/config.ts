import { z } from 'zod';
import { RuntimeConfigSchema } from './runtime.js';

const key = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'base64url 32-byte key');

/**
 * The kiosk application's configuration (a JSON file named by `KIOSK_CONFIG`): devices, flow timings, the
 * relay on the dedicated line with its pinned key, VRS's box key for end-to-end sealing, and the folder of
 * the kiosk's identity seed. Public values only; parsed from `unknown`.
 */
export const KioskConfigSchema = RuntimeConfigSchema.extend({
  relay: z.object({ url: z.string().regex(/^wss?:\/\//), publicKey: key }),
  vrsBoxPublicKey: key,
  identityDir: z.string().min(1),
  /** Full-screen kiosk mode, no devtools. */
  production: z.boolean().default(true),
  /** Repository root (where `kiosk/renderer` lives) when running from a bundle. */
  appRoot: z.string().min(1).optional(),
});
export type KioskConfig = z.infer<typeof KioskConfigSchema>;

export type KioskConfigResult =
  { ok: true; config: KioskConfig } | { ok: false; code: 'KIOSK_CONFIG_INVALID'; message: string };

/**
 * Parses the text of the configuration file. Never throws: bad JSON or a field off the schema is
 * KIOSK_CONFIG_INVALID with the offending field paths (never their values) in `message`.
 */
export function parseKioskConfig(text: string): KioskConfigResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'KIOSK_CONFIG_INVALID', message: 'KIOSK_CONFIG: not valid JSON' };
  }
  const r = KioskConfigSchema.safeParse(raw);
  if (r.success) return { ok: true, config: r.data };
  const fields = [...new Set(r.error.issues.map((i) => i.path.map(String).join('.') || '(config)'))];
  return {
    ok: false,
    code: 'KIOSK_CONFIG_INVALID',
    message: `KIOSK_CONFIG: invalid fields: ${fields.join(', ')}`,
  };
}
