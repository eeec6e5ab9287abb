export {
  acceptHello,
  createInitiator,
  DEFAULT_MAX_SKEW_MS,
  HANDSHAKE_TIMEOUT_MS,
  PROTOCOL_VERSION,
  type AcceptHelloResult,
  type HandshakeFailure,
  type Initiator,
  type InitiatorAccept,
  type InitiatorOptions,
  type PendingSession,
  type ResponderOptions,
} from './handshake.js';
export {
  ChannelSession,
  frameNonce,
  MAX_FRAME_BYTES,
  MAX_PLAINTEXT_BYTES,
  type ChannelFailure,
  type OpenResult,
} from './session.js';

/** HTTP header carrying the initiator's hello on the WebSocket upgrade request. */
export const HELLO_HEADER = 'x-channel-hello';
/** HTTP header carrying the responder's answer on the 101 Switching Protocols response. */
export const RESPONSE_HEADER = 'x-channel-response';
