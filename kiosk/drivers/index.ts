export * from './transport.js';
export * from './pn532/index.js';
export * from './mynumber/index.js';
