import nacl from 'tweetnacl';
import { coded } from '../errors/index.js';
import { concatBytes, readU64be, requireBytes, u64be, wipe } from '../bytes.js';
import type { CryptoProvider } from '../crypto.js';

/** Largest sealed frame either side accepts (counter + MAC + plaintext). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Largest plaintext that fits a frame. */
export const MAX_PLAINTEXT_BYTES = MAX_FRAME_BYTES - 8 - nacl.secretbox.overheadLength;

const COUNTER_BYTES = 8;
const MIN_FRAME_BYTES = COUNTER_BYTES + nacl.secretbox.overheadLength;

export type ChannelFailure =
  'CHANNEL_AUTH_FAILED' | 'CHANNEL_REPLAY' | 'CHANNEL_FRAME_TOO_LARGE' | 'CHANNEL_CLOSED';
export type OpenResult = { ok: true; plaintext: Uint8Array } | { ok: false; code: ChannelFailure };

/** Which way a frame travels; part of every nonce, so the two directions can never share one. */
export const DIRECTION_INITIATOR_TO_RESPONDER = 1;
export const DIRECTION_RESPONDER_TO_INITIATOR = 2;

/**
 * The nonce of frame number `counter` in direction `direction`: `[direction][15 × 00][counter, 8 bytes BE]`.
 *
 * Uniqueness rule: each direction has its own key (derived in the handshake from fresh X25519 keys, so
 * never reused across channels) and its counter starts at 0 and only increases; a (key, nonce) pair
 * is therefore used once. This is the only place channel nonces are made.
 */
export function frameNonce(direction: number, counter: number): Uint8Array {
  const nonce = new Uint8Array(nacl.secretbox.nonceLength);
  nonce[0] = direction;
  nonce.set(u64be(counter), nonce.length - COUNTER_BYTES);
  return nonce;
}

/**
 * An established channel: seals outgoing frames and opens incoming ones.
 *
 * Frame layout: `counter (8 bytes, big-endian) ‖ secretbox(plaintext)`. The receiver accepts only the
 * next counter in sequence: a replayed, reordered or dropped frame is `CHANNEL_REPLAY`; any altered or
 * truncated frame is `CHANNEL_AUTH_FAILED`; either one closes the session for good (keys wiped), and
 * the connection carrying it must be closed.
 */
export class ChannelSession {
  readonly peerPublicKey: Uint8Array;
  #sendKey: Uint8Array;
  #recvKey: Uint8Array;
  readonly #sendDirection: number;
  readonly #recvDirection: number;
  #sendCounter: number;
  #recvCounter: number;
  #closed = false;
  readonly #seal: (m: Uint8Array, n: Uint8Array, k: Uint8Array) => Uint8Array;
  readonly #open: (b: Uint8Array, n: Uint8Array, k: Uint8Array) => Uint8Array | undefined;

  /** @internal Made by the handshake; not for direct use. */
  constructor(init: {
    peerPublicKey: Uint8Array;
    sendKey: Uint8Array;
    recvKey: Uint8Array;
    isInitiator: boolean;
    sendCounter?: number;
    recvCounter?: number;
    /** Seals with this provider's `secretbox` when it has one (same bytes), else tweetnacl. */
    crypto?: CryptoProvider;
  }) {
    requireBytes(init.sendKey, nacl.secretbox.keyLength, 'sendKey');
    requireBytes(init.recvKey, nacl.secretbox.keyLength, 'recvKey');
    this.peerPublicKey = init.peerPublicKey;
    this.#sendKey = init.sendKey;
    this.#recvKey = init.recvKey;
    this.#sendDirection = init.isInitiator
      ? DIRECTION_INITIATOR_TO_RESPONDER
      : DIRECTION_RESPONDER_TO_INITIATOR;
    this.#recvDirection = init.isInitiator
      ? DIRECTION_RESPONDER_TO_INITIATOR
      : DIRECTION_INITIATOR_TO_RESPONDER;
    this.#sendCounter = init.sendCounter ?? 0;
    this.#recvCounter = init.recvCounter ?? 0;
    const c = init.crypto;
    if (c?.secretbox !== undefined && c.secretboxOpen !== undefined) {
      this.#seal = c.secretbox.bind(c);
      this.#open = c.secretboxOpen.bind(c);
    } else {
      this.#seal = nacl.secretbox;
      this.#open = (b, n, k) => nacl.secretbox.open(b, n, k) ?? undefined;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Seals one frame. Throws (`CHANNEL_CLOSED`) after `close()` or a failed `open()`, and for oversized input. */
  seal(plaintext: Uint8Array): Uint8Array {
    requireBytes(plaintext, undefined, 'plaintext');
    if (this.#closed) throw coded('CHANNEL_CLOSED', 'channel is closed');
    if (plaintext.length > MAX_PLAINTEXT_BYTES)
      throw new RangeError(`plaintext: at most ${MAX_PLAINTEXT_BYTES} bytes`);
    const counter = this.#sendCounter++;
    const box = this.#seal(plaintext, frameNonce(this.#sendDirection, counter), this.#sendKey);
    return concatBytes(u64be(counter), box);
  }

  /** Opens the next frame from the peer. Any failure closes the session. */
  open(frame: Uint8Array): OpenResult {
    requireBytes(frame, undefined, 'frame');
    if (this.#closed) return { ok: false, code: 'CHANNEL_CLOSED' };
    if (frame.length > MAX_FRAME_BYTES) return this.#fail('CHANNEL_FRAME_TOO_LARGE');
    if (frame.length < MIN_FRAME_BYTES) return this.#fail('CHANNEL_AUTH_FAILED');
    const counter = readU64be(frame, 0);
    if (counter === undefined) return this.#fail('CHANNEL_AUTH_FAILED');
    const nonce = frameNonce(this.#recvDirection, counter);
    const plaintext = this.#open(frame.subarray(COUNTER_BYTES), nonce, this.#recvKey);
    if (plaintext === undefined) return this.#fail('CHANNEL_AUTH_FAILED');
    // Authentic, but not the next one: a replay or a reordering by someone holding old frames.
    if (counter !== this.#recvCounter) return this.#fail('CHANNEL_REPLAY');
    this.#recvCounter++;
    return { ok: true, plaintext };
  }

  /** Closes the session and wipes its keys. */
  close(): void {
    this.#closed = true;
    wipe(this.#sendKey);
    wipe(this.#recvKey);
  }

  #fail(code: ChannelFailure): OpenResult {
    this.close();
    return { ok: false, code };
  }
}
