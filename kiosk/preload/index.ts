/** The preload's public face is the API type; `preload.ts` itself is an Electron entry point (bundled at start). */
export type { KioskApi } from '../shared/api.js';
