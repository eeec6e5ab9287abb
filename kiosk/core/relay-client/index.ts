export {
  RelayClient,
  type IssueOutcome,
  type RelayClientOptions,
  type RelayClientState,
  type RelayResult,
} from './client.js';
export { connectChannel, type ConnectOptions, type Connected } from './connect.js';
export { enrollKiosk, type EnrollOptions, type EnrollResult } from './enroll.js';
export { nextDelay, type BackoffOptions } from './backoff.js';
export { relayClientPort, type RelayClientPort } from './flow-port.js';
