/**
 * The kiosk's main-process face for Node callers (`npm start`, tests). The Electron-only modules
 * (`electron-main.ts`, `window.ts`, `app-protocol.ts`, `ipc.ts`) import `electron` and are loaded only inside
 * Electron, from the bundle `buildElectronApp` makes.
 */
export {
  startKioskRuntime,
  KioskStartError,
  RuntimeConfigSchema,
  DeviceConfigSchema,
  SOFTWARE_VERSION,
} from './runtime.js';
export type { KioskRuntime, RuntimeConfig, DeviceConfig } from './runtime.js';
export { KioskConfigSchema, parseKioskConfig, type KioskConfig, type KioskConfigResult } from './config.js';
export { loadKioskIdentity } from './identity.js';
export { startKioskRelay, type KioskRelay } from './relay.js';
export { installedElectron } from './electron-detect.js';
export { buildElectronApp } from './electron-build.js';
