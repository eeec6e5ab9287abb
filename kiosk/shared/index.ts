/** What the main process, the preload and the renderer share: views, intents, the API object, IPC names. */
export type * from './view.js';
export { IntentSchema, type Intent, type IntentType, type IntentResult } from './intents.js';
export { createKioskApi, KIOSK_API_GLOBAL, type KioskApi, type KioskApiTransport } from './api.js';
export { IPC, APP_SCHEME, APP_ORIGIN } from './ipc.js';
