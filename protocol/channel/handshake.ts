import {
  bytesEqual,
  concatBytes,
  fromBase64Url,
  readU64be,
  requireBytes,
  toBase64Url,
  u64be,
  utf8,
  wipe,
} from '../bytes.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, x25519KeyPair, type CryptoProvider } from '../crypto.js';
import type { Identity } from '../identity.js';
import { ChannelSession } from './session.js';

/**
 * The channel handshake, used on both hops (kiosk → relay over the dedicated line, relay → VRS over
 * LGWAN). Transport-agnostic: the two handshake messages are base64url strings small enough for HTTP
 * headers, so the responder authenticates the initiator before a WebSocket upgrade completes.
 *
 *   initiator I                                               responder R
 *   hello = 01 ‖ I_id ‖ I_eph ‖ nonce_I ‖ ts ‖ sig_I(hello)  ──▶  checks version, clock skew, signature,
 *                                                                 that I_id is enrolled (pinned)
 *            ◀── response = 01 ‖ R_id ‖ R_eph ‖ nonce_R ‖ sig_R(transcript)
 *   checks R_id is the pinned key and sig_R;
 *   first frame = seal(sig_I(transcript))                   ──▶  complete(): opens it, checks sig_I
 *
 * Keys: shared = X25519(I_eph, R_eph) (fresh on both sides: forward secrecy);
 * th = SHA-512(domain ‖ hello ‖ response-without-signature);
 * (k_I→R ‖ k_R→I) = SHA-512(domain ‖ "keys" ‖ shared ‖ th). Both identities sign th.
 */
export const PROTOCOL_VERSION = 1;
/** The transport closes a connection whose handshake has not completed in this time. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How far the initiator's clock may be from the responder's. */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;

const DOMAIN = utf8('vaccine-kiosk/channel/v1');
const NONCE_BYTES = 16;
const HELLO_BODY_BYTES = 1 + PUBLIC_KEY_BYTES + 32 + NONCE_BYTES + 8;
const HELLO_BYTES = HELLO_BODY_BYTES + SIGNATURE_BYTES;
const RESPONSE_BODY_BYTES = 1 + PUBLIC_KEY_BYTES + 32 + NONCE_BYTES;
const RESPONSE_BYTES = RESPONSE_BODY_BYTES + SIGNATURE_BYTES;

export type HandshakeFailure =
  | 'CHANNEL_HANDSHAKE_FAILED'
  | 'CHANNEL_UNKNOWN_PEER'
  | 'PROTOCOL_UNSUPPORTED_VERSION'
  | 'CHANNEL_AUTH_FAILED'
  | 'CHANNEL_REPLAY'
  | 'CHANNEL_FRAME_TOO_LARGE'
  | 'CHANNEL_CLOSED';

const label = (name: string) => concatBytes(DOMAIN, utf8(`/${name}`));
const HELLO_LABEL = label('hello');
const RESPONDER_LABEL = label('responder');
const INITIATOR_LABEL = label('initiator');
const TRANSCRIPT_LABEL = label('transcript');
const KEYS_LABEL = label('keys');

function checkIdentity(identity: Identity, crypto: CryptoProvider): void {
  if (identity === null || typeof identity !== 'object') throw new TypeError('identity: Identity expected');
  requireBytes(identity.seed, 32, 'identity.seed');
  requireBytes(identity.publicKey, PUBLIC_KEY_BYTES, 'identity.publicKey');
  if (crypto === null || typeof crypto !== 'object' || typeof crypto.ed25519Sign !== 'function') {
    throw new TypeError('crypto: CryptoProvider expected');
  }
}

function deriveKeys(crypto: CryptoProvider, shared: Uint8Array, th: Uint8Array) {
  const okm = crypto.sha512(concatBytes(KEYS_LABEL, shared, th));
  return { i2r: okm.slice(0, 32), r2i: okm.slice(32, 64), wipe: () => wipe(okm) };
}

export interface InitiatorOptions {
  identity: Identity;
  /** The responder's pinned identity key. */
  peerPublicKey: Uint8Array;
  crypto: CryptoProvider;
  /** Clock, for tests. */
  now?: () => number;
}

export type InitiatorAccept =
  { ok: true; session: ChannelSession; finished: Uint8Array } | { ok: false; code: HandshakeFailure };

export interface Initiator {
  /** Send to the responder (e.g. the `x-channel-hello` header of the WebSocket upgrade). */
  readonly hello: string;
  /** Takes the responder's answer; on success, send `finished` as the first frame. One use only. */
  accept(response: string): InitiatorAccept;
}

/**
 * Starts a handshake as the initiator.
 *
 * @example
 * const init = createInitiator({ identity: kiosk, peerPublicKey: relayKey, crypto });
 * // send init.hello, receive response
 * const r = init.accept(response);
 * if (r.ok) { send(r.finished); r.session.seal(bytes); }
 */
export function createInitiator(options: InitiatorOptions): Initiator {
  const { identity, peerPublicKey, crypto } = options;
  checkIdentity(identity, crypto);
  requireBytes(peerPublicKey, PUBLIC_KEY_BYTES, 'peerPublicKey');
  const now = options.now ?? Date.now;
  const eph = x25519KeyPair(crypto);
  const body = concatBytes(
    Uint8Array.of(PROTOCOL_VERSION),
    identity.publicKey,
    eph.publicKey,
    crypto.randomBytes(NONCE_BYTES),
    u64be(Math.floor(now())),
  );
  const helloBytes = concatBytes(body, crypto.ed25519Sign(identity.seed, concatBytes(HELLO_LABEL, body)));
  let used = false;
  return {
    hello: toBase64Url(helloBytes),
    accept(response: string): InitiatorAccept {
      if (typeof response !== 'string') throw new TypeError('response: string expected');
      if (used) return { ok: false, code: 'CHANNEL_CLOSED' };
      used = true;
      try {
        const bytes = fromBase64Url(response);
        if (bytes === undefined || bytes.length === 0) return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
        if (bytes[0] !== PROTOCOL_VERSION) return { ok: false, code: 'PROTOCOL_UNSUPPORTED_VERSION' };
        if (bytes.length !== RESPONSE_BYTES) return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
        const responderId = bytes.subarray(1, 33);
        const responderEph = bytes.subarray(33, 65);
        const rBody = bytes.subarray(0, RESPONSE_BODY_BYTES);
        const rSig = bytes.subarray(RESPONSE_BODY_BYTES);
        if (!bytesEqual(responderId, peerPublicKey)) return { ok: false, code: 'CHANNEL_UNKNOWN_PEER' };
        const th = crypto.sha512(concatBytes(TRANSCRIPT_LABEL, helloBytes, rBody));
        if (!crypto.ed25519Verify(responderId, concatBytes(RESPONDER_LABEL, th), rSig)) {
          return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
        }
        const shared = crypto.x25519(eph.secretKey, responderEph);
        if (shared === undefined) return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
        const keys = deriveKeys(crypto, shared, th);
        wipe(shared);
        const session = new ChannelSession({
          peerPublicKey: responderId.slice(),
          sendKey: keys.i2r,
          recvKey: keys.r2i,
          isInitiator: true,
          crypto,
        });
        const finished = session.seal(crypto.ed25519Sign(identity.seed, concatBytes(INITIATOR_LABEL, th)));
        return { ok: true, session, finished };
      } finally {
        wipe(eph.secretKey);
      }
    },
  };
}

export interface ResponderOptions {
  identity: Identity;
  crypto: CryptoProvider;
  /** Whether this initiator key is pinned / enrolled and not revoked. */
  isKnownPeer: (publicKey: Uint8Array) => boolean | Promise<boolean>;
  now?: () => number;
  maxSkewMs?: number;
}

export interface PendingSession {
  readonly peerPublicKey: Uint8Array;
  /** Takes the initiator's first frame (its signature over the transcript). One use only. */
  complete(
    firstFrame: Uint8Array,
  ): { ok: true; session: ChannelSession } | { ok: false; code: HandshakeFailure };
}

export type AcceptHelloResult =
  | { ok: true; peerPublicKey: Uint8Array; response: string; pending: PendingSession }
  | { ok: false; code: HandshakeFailure };

/**
 * Answers a hello as the responder. Call it in the HTTP upgrade handler: on failure refuse the upgrade;
 * on success put `response` in the `x-channel-response` header of the 101 answer, then pass the first
 * frame to `pending.complete()`.
 */
export async function acceptHello(hello: string, options: ResponderOptions): Promise<AcceptHelloResult> {
  if (typeof hello !== 'string') throw new TypeError('hello: string expected');
  const { identity, crypto } = options;
  checkIdentity(identity, crypto);
  if (typeof options.isKnownPeer !== 'function') throw new TypeError('isKnownPeer: function expected');
  const now = options.now ?? Date.now;
  const maxSkew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;

  const bytes = fromBase64Url(hello);
  if (bytes === undefined || bytes.length === 0) return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
  if (bytes[0] !== PROTOCOL_VERSION) return { ok: false, code: 'PROTOCOL_UNSUPPORTED_VERSION' };
  if (bytes.length !== HELLO_BYTES) return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
  const initiatorId = bytes.slice(1, 33);
  const initiatorEph = bytes.subarray(33, 65);
  const ts = readU64be(bytes, 1 + 32 + 32 + NONCE_BYTES);
  const body = bytes.subarray(0, HELLO_BODY_BYTES);
  const sig = bytes.subarray(HELLO_BODY_BYTES);
  if (ts === undefined || Math.abs(now() - ts) > maxSkew)
    return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
  if (!crypto.ed25519Verify(initiatorId, concatBytes(HELLO_LABEL, body), sig)) {
    return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
  }
  if (!(await options.isKnownPeer(initiatorId))) return { ok: false, code: 'CHANNEL_UNKNOWN_PEER' };

  const eph = x25519KeyPair(crypto);
  const rBody = concatBytes(
    Uint8Array.of(PROTOCOL_VERSION),
    identity.publicKey,
    eph.publicKey,
    crypto.randomBytes(NONCE_BYTES),
  );
  const th = crypto.sha512(concatBytes(TRANSCRIPT_LABEL, bytes, rBody));
  const rSig = crypto.ed25519Sign(identity.seed, concatBytes(RESPONDER_LABEL, th));
  const shared = crypto.x25519(eph.secretKey, initiatorEph);
  wipe(eph.secretKey);
  if (shared === undefined) return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
  const keys = deriveKeys(crypto, shared, th);
  wipe(shared);
  const session = new ChannelSession({
    peerPublicKey: initiatorId,
    sendKey: keys.r2i,
    recvKey: keys.i2r,
    isInitiator: false,
    crypto,
  });
  let used = false;
  return {
    ok: true,
    peerPublicKey: initiatorId,
    response: toBase64Url(concatBytes(rBody, rSig)),
    pending: {
      peerPublicKey: initiatorId,
      complete(firstFrame) {
        requireBytes(firstFrame, undefined, 'firstFrame');
        if (used) return { ok: false, code: 'CHANNEL_CLOSED' };
        used = true;
        const opened = session.open(firstFrame);
        if (!opened.ok) return opened;
        const valid =
          opened.plaintext.length === SIGNATURE_BYTES &&
          crypto.ed25519Verify(initiatorId, concatBytes(INITIATOR_LABEL, th), opened.plaintext);
        if (!valid) {
          session.close();
          return { ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' };
        }
        return { ok: true, session };
      },
    },
  };
}
