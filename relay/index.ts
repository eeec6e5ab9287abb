/** The relay's public face: start one in-process, its options, and the offline audit verifier. */
export { startRelay, type Relay, type RelayInfo } from './relay.js';
export { RelayOptions, VrsEndpointOption, type RelayOptionsInput } from './config.js';
export { configFromEnv } from './env-config.js';
export { verifyExport } from './verify-file.js';
export { canonicalRecord, chainHash, GENESIS_HASH, type AuditEntry } from './store/audit.js';
export { RelayError } from './errors.js';
export { CLOSE as RELAY_CLOSE_CODES } from './kiosk-side/endpoint.js';
