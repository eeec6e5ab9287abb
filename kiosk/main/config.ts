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
