/** Electron IPC channel names, shared by the main process and the preload only (never the renderer). */
export const IPC = {
  intent: 'kiosk:intent',
  state: 'kiosk:state',
  view: 'kiosk:view',
} as const;

/** The kiosk app's own origin in Electron (a privileged custom scheme); every other request is blocked. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://kiosk';
