import { z } from 'zod';

/**
 * The loopback bridge between the renderer (in a plain browser) and the main-process core: the same API the
 * Electron preload exposes, carried as JSON over one WebSocket. Client messages are parsed from `unknown`.
 */
export const BridgeRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('intent'), id: z.number().int().nonnegative(), intent: z.unknown() }),
  z.object({ op: z.literal('state'), id: z.number().int().nonnegative() }),
]);
export type BridgeRequest = z.infer<typeof BridgeRequestSchema>;

/** Server → renderer. `reload`: the transaction ended, the page reloads so it holds nothing. */
export type BridgeEvent =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'view'; view: unknown }
  | { type: 'reload' }
  | { type: 'error'; code: 'KIOSK_BAD_INTENT' };

/** The bridge's WebSocket path and its message size limit. */
export const BRIDGE_PATH = '/bridge';
export const BRIDGE_MAX_PAYLOAD = 4096;
