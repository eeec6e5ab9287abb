export { startHost, type HostOptions, type KioskCore, type RunningHost } from './server.js';
export { loadRendererAssets, contentSecurityPolicy, fontAsset, type Asset } from './assets.js';
export {
  BRIDGE_PATH,
  BRIDGE_MAX_PAYLOAD,
  BridgeRequestSchema,
  type BridgeEvent,
  type BridgeRequest,
} from './bridge-protocol.js';
