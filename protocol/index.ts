/**
 * The single source of truth shared by the kiosk, the relay, the VRS stand-in and the browser:
 * message schemas, the encrypted channel, end-to-end envelopes and error codes. Runs anywhere
 * (no Node, no DOM imports). See PROTOCOL.md.
 */
export * from './bytes.js';
export * from './crypto.js';
export * from './identity.js';
export * from './channel/index.js';
export * from './envelope/index.js';
export * from './messages/index.js';
export * from './errors/index.js';
export * from './card-data.js';
export * from './mynumber.js';
