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

/** One bridge message (text) from `unknown` JSON to a request, or null when it is not one. Pure (fuzzed). */
export function parseBridgeRequest(text: string): BridgeRequest | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = BridgeRequestSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * Server → renderer. `session`: the first message after a launch, the secret to reconnect with; `reload`: the
 * transaction ended, the page reloads so it holds nothing.
 */
export type BridgeEvent =
  | { type: 'session'; key: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'view'; view: unknown }
  | { type: 'reload' }
  | { type: 'error'; code: 'KIOSK_BAD_INTENT' };

/** The bridge's WebSocket path and its message size limit. */
export const BRIDGE_PATH = '/bridge';
export const BRIDGE_MAX_PAYLOAD = 4096;

/**
 * The bridge authenticates its renderer in the upgrade: the page offers two WebSocket subprotocols, this
 * name and its credential (`launch.<secret>` once, from the URL fragment; then `session.<secret>`). The
 * server answers with this name only. Browsers cannot set other headers on a WebSocket.
 */
export const BRIDGE_PROTOCOL = 'kiosk-bridge.v1';
export const BRIDGE_LAUNCH_PREFIX = 'launch.';
export const BRIDGE_SESSION_PREFIX = 'session.';
/** The URL fragment that carries the one-time launch secret: `#launch=<secret>`. */
export const BRIDGE_LAUNCH_FRAGMENT = 'launch';
