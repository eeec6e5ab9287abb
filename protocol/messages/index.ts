export * from './common.js';
export * from './text.js';
export * from './kiosk-relay.js';
export * from './relay-vrs.js';
export * from './cert.js';
export * from './codec.js';
