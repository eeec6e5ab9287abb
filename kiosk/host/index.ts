export { startHost, type HostOptions, type KioskCore, type RunningHost } from './server.js';
export { writeLaunchFile } from './launch-file.js';
export { loadRendererAssets, contentSecurityPolicy, fontAsset, type Asset } from './assets.js';
export {
  BridgeAuth,
  parseBridgeCredential,
  RefusalLog,
  type BridgeAuthResult,
  type BridgeCredential,
} from './bridge-auth.js';
export {
  BRIDGE_LAUNCH_FRAGMENT,
  BRIDGE_LAUNCH_PREFIX,
  BRIDGE_PATH,
  BRIDGE_PROTOCOL,
  BRIDGE_SESSION_PREFIX,
  BRIDGE_MAX_PAYLOAD,
  BridgeRequestSchema,
  parseBridgeRequest,
  type BridgeEvent,
  type BridgeRequest,
} from './bridge-protocol.js';
