import { defineCodes } from './define.js';

const RETRY_LATER = {
  ja: '現在この証明書を発行できません。しばらくしてからもう一度お試しください。',
  en: 'The certificate cannot be issued right now. Please try again later.',
} as const;

/** Codes of the wire protocol: messages, the channel, and the end-to-end envelopes. */
export const PROTOCOL_ERRORS = defineCodes({
  PROTOCOL_MALFORMED: {
    meaning: 'A message did not parse or did not match its schema.',
    resident: RETRY_LATER,
    operator:
      'A peer sent a malformed message; the connection was closed. Repeated occurrences raise an alert.',
  },
  PROTOCOL_UNSUPPORTED_VERSION: {
    meaning: 'A message carried a protocol version this side does not speak.',
    resident: RETRY_LATER,
    operator: 'Version mismatch between kiosk, relay and VRS software; update the older side.',
  },
  CHANNEL_HANDSHAKE_FAILED: {
    meaning: 'The channel handshake was malformed, stale, or its signature did not verify.',
    resident: RETRY_LATER,
    operator:
      'A peer failed channel authentication. Repeated failures from one source raise an alert and a ban.',
  },
  CHANNEL_UNKNOWN_PEER: {
    meaning: 'The peer presented an identity key that is not pinned or enrolled (or is revoked).',
    resident: RETRY_LATER,
    operator: 'An unknown or revoked key tried to connect; check enrollment.',
  },
  CHANNEL_HANDSHAKE_TIMEOUT: {
    meaning: 'The handshake did not complete in time.',
    resident: RETRY_LATER,
    operator: 'A peer opened a connection and did not finish the handshake in time.',
  },
  CHANNEL_AUTH_FAILED: {
    meaning: 'A sealed frame failed authentication (altered, truncated, or sealed under another key).',
    resident: RETRY_LATER,
    operator: 'A frame failed authentication; the channel was closed (tampering or corruption on the line).',
  },
  CHANNEL_REPLAY: {
    meaning:
      'A frame arrived with a counter other than the next expected one (replayed, reordered or dropped).',
    resident: RETRY_LATER,
    operator: 'A replayed or reordered frame was refused and the channel closed.',
  },
  CHANNEL_FRAME_TOO_LARGE: {
    meaning: 'A frame exceeded the channel frame-size limit.',
    resident: RETRY_LATER,
    operator: 'A peer sent an oversized frame; the channel was closed.',
  },
  CHANNEL_CLOSED: {
    meaning: 'The channel is closed after an earlier failure, or was closed by either side.',
    resident: RETRY_LATER,
    operator: 'The channel was already closed.',
  },
  ENVELOPE_AUTH_FAILED: {
    meaning: 'A sealed request or answer did not open (wrong key, altered bytes).',
    resident: RETRY_LATER,
    operator: 'An end-to-end envelope failed to open; check VRS and kiosk keys.',
  },
  ENVELOPE_BINDING_MISMATCH: {
    meaning: 'A sealed answer opened but is bound to another request or another kiosk.',
    resident: RETRY_LATER,
    operator: 'An answer reached the wrong kiosk or request. Issuance stops until investigated.',
  },
});
