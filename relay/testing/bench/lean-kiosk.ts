import { createHash, randomFillSync } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { sodiumCrypto } from '../../../common/crypto-sodium.js';
import { TEST_HEALTH } from '../test-kiosk.js';
import {
  createInitiator,
  decodeMessage,
  encodeMessage,
  HELLO_HEADER,
  keyId,
  MAX_FRAME_BYTES,
  RelayToKiosk,
  requireBytes,
  RESPONSE_HEADER,
  type ChannelSession,
  type CryptoProvider,
  type Identity,
  type Initiator,
  type KioskToRelay,
} from '../../../protocol/index.js';

/**
 * A lean kiosk for the sessions benchmark: the same bytes on the wire as a real kiosk (channel handshake in
 * the upgrade with the relay's signature checked, sealed frames, heartbeats, pongs), on a raw `node:net`
 * socket with a hand-written HTTP/1.1 upgrade and a minimal RFC 6455 client codec, instead of `ws` and
 * Node's HTTP client. On this machine the load generator shares two cores with the relays it measures, so
 * its CPU per kiosk is an artefact to keep small; a real kiosk is its own machine.
 *
 * Differences from `TestKiosk` that the relay cannot see: the hello is made once the TCP connection is up
 * (a refused connection costs no signature), keys are cached (`benchKioskCrypto`), and per-kiosk state is
 * a handful of fields (9,500 kiosks per process).
 */

/** WebSocket opcodes (RFC 6455 §5.2). */
export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/**
 * Why a server frame stream was rejected (the connection must be closed):
 * - `WS_PROTOCOL_ERROR`: a masked server frame, RSV bits, an unknown opcode, a fragmented or oversized
 *   control frame, a continuation with nothing to continue;
 * - `WS_FRAME_TOO_LARGE`: a frame (or a reassembled message) larger than `maxPayload`.
 */
export type FrameError = 'WS_PROTOCOL_ERROR' | 'WS_FRAME_TOO_LARGE';

/**
 * One client frame (FIN set): header, the 4-byte masking key `mask[maskOffset..+4]`, the masked payload.
 *
 * @example encodeClientFrame(OPCODE.binary, sealed, randomBytes(4))
 */
export function encodeClientFrame(
  opcode: number,
  payload: Uint8Array,
  mask: Uint8Array,
  maskOffset = 0,
): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + 4 + n);
  out[0] = 0x80 | opcode;
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65_536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  const m0 = mask[maskOffset]!;
  const m1 = mask[maskOffset + 1]!;
  const m2 = mask[maskOffset + 2]!;
  const m3 = mask[maskOffset + 3]!;
  out[head] = m0;
  out[head + 1] = m1;
  out[head + 2] = m2;
  out[head + 3] = m3;
  const p = head + 4;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    out[p + i] = payload[i]! ^ m0;
    out[p + i + 1] = payload[i + 1]! ^ m1;
    out[p + i + 2] = payload[i + 2]! ^ m2;
    out[p + i + 3] = payload[i + 3]! ^ m3;
  }
  for (; i < n; i++) out[p + i] = payload[i]! ^ mask[maskOffset + (i & 3)]!;
  return out;
}

/**
 * Server → client frames from bytes as they arrive, split anywhere. Pure: no I/O. Data messages are
 * reassembled from fragments; control frames (close, ping, pong) are passed on as they come.
 */
export class ServerFrameDecoder {
  readonly maxPayload: number;
  #rest: Buffer | undefined;
  #fragments: Buffer[] | undefined;
  #fragmentOpcode = 0;
  #fragmentBytes = 0;

  constructor(maxPayload = MAX_FRAME_BYTES) {
    this.maxPayload = maxPayload;
  }

  /**
   * Feeds a chunk; calls `onFrame(opcode, payload)` for each complete message or control frame (the
   * payload may be a view of `chunk`). Returns an error when the stream breaks the protocol; after one,
   * the decoder must not be used again.
   */
  push(chunk: Buffer, onFrame: (opcode: number, payload: Buffer) => void): FrameError | undefined {
    let buf = chunk;
    if (this.#rest !== undefined) {
      buf = Buffer.concat([this.#rest, chunk]);
      this.#rest = undefined;
    }
    let off = 0;
    const end = buf.length;
    while (end - off >= 2) {
      const b0 = buf[off]!;
      const b1 = buf[off + 1]!;
      if ((b0 & 0x70) !== 0 || (b1 & 0x80) !== 0) return 'WS_PROTOCOL_ERROR'; // RSV bits; masked by a server
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      let len = b1 & 0x7f;
      let p = off + 2;
      if (len === 126) {
        if (end - p < 2) break;
        len = buf.readUInt16BE(p);
        p += 2;
      } else if (len === 127) {
        if (end - p < 8) break;
        if (buf.readUInt32BE(p) !== 0) return 'WS_FRAME_TOO_LARGE';
        len = buf.readUInt32BE(p + 4);
        p += 8;
      }
      if (opcode >= 0x8) {
        if (opcode > OPCODE.pong || !fin || len > 125) return 'WS_PROTOCOL_ERROR';
      } else if (opcode > OPCODE.binary) return 'WS_PROTOCOL_ERROR';
      if (len > this.maxPayload) return 'WS_FRAME_TOO_LARGE';
      if (end - p < len) break;
      const payload = buf.subarray(p, p + len);
      off = p + len;
      if (opcode >= 0x8) {
        onFrame(opcode, payload);
      } else if (opcode === OPCODE.continuation) {
        if (this.#fragments === undefined) return 'WS_PROTOCOL_ERROR';
        this.#fragmentBytes += len;
        if (this.#fragmentBytes > this.maxPayload) return 'WS_FRAME_TOO_LARGE';
        this.#fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.#fragments);
          this.#fragments = undefined;
          onFrame(this.#fragmentOpcode, whole);
        }
      } else {
        if (this.#fragments !== undefined) return 'WS_PROTOCOL_ERROR';
        if (fin) onFrame(opcode, payload);
        else {
          this.#fragments = [Buffer.from(payload)];
          this.#fragmentOpcode = opcode;
          this.#fragmentBytes = len;
        }
      }
    }
    if (off < end) this.#rest = Buffer.from(buf.subarray(off)); // a copy: do not pin the whole read
    return undefined;
  }
}

/** The parts of an upgrade response the kiosk looks at. Header names lower-cased; values trimmed. */
export interface UpgradeResponseHead {
  status: number;
  headers: Record<string, string>;
}

/** Parses an HTTP/1.1 response head (status line and headers, without the final blank line). */
export function parseResponseHead(head: string): UpgradeResponseHead | undefined {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (m === null) return undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(m[1]), headers };
}

/** `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2). */
export function websocketAccept(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/**
 * The bench kiosks' `CryptoProvider`: `sodiumCrypto`, as the relay (raw key bytes, no key objects to import,
 * libsodium's secretbox for the channel frames, each kiosk's expanded signing key kept while its seed lives).
 *
 * @example
 * const crypto = benchKioskCrypto();
 * await LeanKiosk.connect(url, relayKey, { identity, crypto });
 */
export function benchKioskCrypto(): CryptoProvider {
  return sodiumCrypto;
}

/** Masks and WebSocket keys come from one pooled buffer of random bytes, refilled when used up. */
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;
function takeRandom(n: number): number {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}

/** Where a kiosk connects: parse a `ws://host:port/path` URL once, not per kiosk. */
export interface RelayTarget {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly hostHeader: string;
}

export function relayTarget(url: string): RelayTarget {
  const u = new URL(url);
  if (u.protocol !== 'ws:') throw new TypeError('url: ws:// URL expected');
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { host, port: Number(u.port || 80), path: `${u.pathname}${u.search}`, hostHeader: u.host };
}

/** A failed attempt: the HTTP status and the relay's code, and for a socket error its errno code (`cause`). */
export type LeanConnectResult =
  { ok: true; kiosk: LeanKiosk } | { ok: false; status: number | undefined; code: string; cause?: string };

export interface LeanConnectOptions {
  identity: Identity;
  crypto: CryptoProvider;
  localAddress?: string;
  /**
   * With `localAddress`, a source port chosen by the caller. Many thousands of sockets bound to one
   * address make the kernel's search for a free port (bind to port 0) cost milliseconds of system CPU per
   * connection; a port the caller manages costs nothing. On EADDRINUSE / EADDRNOTAVAIL the attempt fails
   * with that `cause`, and the caller may retry without it.
   */
  localPort?: number;
  /** TCP connect, upgrade and channel handshake, in ms (default 15 000, as `TestKiosk`). */
  handshakeTimeoutMs?: number;
}

const CODE = /^[A-Z][A-Z0-9_]{2,63}$/;
const MAX_HEAD_BYTES = 8192;
const HEAD_END = Buffer.from('\r\n\r\n');
const UNREACHABLE = { ok: false, status: undefined, code: 'RELAY_UNREACHABLE' } as const;

type Phase = 'connecting' | 'upgrading' | 'open' | 'closing' | 'closed';
type Waiter = { resolve: (m: RelayToKiosk) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/**
 * One kiosk on a raw socket. `LeanKiosk.connect()` resolves once the relay's answer is verified and
 * `finished` is sent (like `TestKiosk.connect`); the session counts as authenticated once `heartbeat(0)`
 * is acknowledged.
 */
export class LeanKiosk {
  readonly identity: Identity;
  readonly closed: Promise<void>;
  /** The close code the relay sent, 1005 for a close frame without one, 1006 for no close frame. */
  closeCode: number | undefined;
  closeReason = '';
  /** Pings answered, notices received, frames for nothing this kiosk waits for. */
  pongs = 0;
  notices = 0;
  unexpected = 0;
  /** Answers other than heartbeat acks (e.g. `issue.response`); return true when one was expected. */
  onAnswer: ((m: RelayToKiosk) => boolean) | undefined;

  readonly #socket: Socket;
  readonly #relayKey: Uint8Array;
  readonly #crypto: CryptoProvider;
  readonly #target: RelayTarget;
  readonly #decoder = new ServerFrameDecoder();
  #phase: Phase = 'connecting';
  #init: Initiator | undefined;
  #wsKey = '';
  #head: Buffer | undefined;
  #session: ChannelSession | undefined;
  #waiters: Map<number, Waiter> | undefined;
  #settle: ((r: LeanConnectResult) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #cause: string | undefined;
  #resolveClosed!: () => void;

  private constructor(
    target: RelayTarget,
    relayKey: Uint8Array,
    o: LeanConnectOptions,
    settle: (r: LeanConnectResult) => void,
  ) {
    this.identity = o.identity;
    this.#target = target;
    this.#relayKey = relayKey;
    this.#crypto = o.crypto;
    this.#settle = settle;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#socket = netConnect({
      host: target.host,
      port: target.port,
      noDelay: true,
      ...(o.localAddress === undefined ? {} : { localAddress: o.localAddress }),
      ...(o.localPort === undefined ? {} : { localPort: o.localPort }),
    });
    this.#timer = setTimeout(() => {
      this.#cause = 'ETIMEDOUT';
      this.#fail(UNREACHABLE);
    }, o.handshakeTimeoutMs ?? 15_000);
    this.#socket.on('error', (err: NodeJS.ErrnoException) => {
      // 'close' follows; before the upgrade, the errno code says why (ECONNREFUSED while a relay restarts).
      if (this.#settle !== undefined && typeof err.code === 'string') this.#cause ??= err.code;
    });
    this.#socket.once('connect', () => this.#onConnect());
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.once('close', () => this.#onClose());
  }

  static connect(
    target: string | RelayTarget,
    relayPublicKey: Uint8Array,
    options: LeanConnectOptions,
  ): Promise<LeanConnectResult> {
    requireBytes(relayPublicKey, 32, 'relayPublicKey');
    const t = typeof target === 'string' ? relayTarget(target) : target;
    return new Promise((resolve) => new LeanKiosk(t, relayPublicKey, options, resolve));
  }

  get kioskId(): string {
    return keyId(this.identity.publicKey);
  }

  /** True while the session is up (not closing or closed). */
  get isOpen(): boolean {
    return this.#phase === 'open';
  }

  send(msg: KioskToRelay): void {
    if (this.#phase !== 'open' || this.#session === undefined) return;
    this.#write(OPCODE.binary, this.#session.seal(encodeMessage(msg)));
  }

  /** Sends heartbeat `seq`; resolves with the relay's `heartbeat.ack`, rejects on timeout or close. */
  heartbeat(seq: number, timeoutMs = 20_000): Promise<RelayToKiosk> {
    if (this.#phase !== 'open') return Promise.reject(new Error('not open'));
    const waiters = (this.#waiters ??= new Map());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(seq);
        reject(new Error(`no heartbeat.ack for ${seq}`));
      }, timeoutMs);
      const previous = waiters.get(seq);
      if (previous !== undefined) {
        clearTimeout(previous.timer);
        previous.reject(new Error('superseded'));
      }
      waiters.set(seq, { resolve, reject, timer });
      this.send({ v: 1, type: 'heartbeat', seq, health: TEST_HEALTH });
    });
  }

  /** Starts the closing handshake (close frame, then the relay closes the connection). */
  close(code = 1000): void {
    if (this.#phase !== 'open') return;
    this.#phase = 'closing';
    const p = Buffer.allocUnsafe(2);
    p.writeUInt16BE(code);
    this.#write(OPCODE.close, p);
    this.#socket.end();
  }

  terminate(): void {
    this.#socket.destroy();
  }

  #corked = false;

  /** Frames written in one tick leave in one `writev` (e.g. `finished` and the first heartbeat). */
  #write(opcode: number, payload: Uint8Array): void {
    const socket = this.#socket;
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    socket.write(encodeClientFrame(opcode, payload, pool, takeRandom(4)));
  }

  #onConnect(): void {
    if (this.#phase !== 'connecting') return;
    this.#phase = 'upgrading';
    // The hello is made now, not before connecting: a refused connection costs no key work.
    this.#init = createInitiator({
      identity: this.identity,
      peerPublicKey: this.#relayKey,
      crypto: this.#crypto,
    });
    const at = takeRandom(16);
    this.#wsKey = pool.toString('base64', at, at + 16);
    const t = this.#target;
    this.#socket.write(
      `GET ${t.path} HTTP/1.1\r\nHost: ${t.hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${this.#wsKey}\r\n${HELLO_HEADER}: ${this.#init.hello}\r\n\r\n`,
    );
  }

  #onData(chunk: Buffer): void {
    if (this.#phase === 'open' || this.#phase === 'closing') return this.#frames(chunk);
    if (this.#phase !== 'upgrading') return;
    const buf = this.#head === undefined ? chunk : Buffer.concat([this.#head, chunk]);
    const end = buf.indexOf(HEAD_END);
    if (end < 0) {
      if (buf.length > MAX_HEAD_BYTES)
        return this.#fail({ ok: false, status: undefined, code: 'RELAY_UNREACHABLE' });
      this.#head = buf;
      return;
    }
    this.#head = undefined;
    const head = parseResponseHead(buf.toString('latin1', 0, end));
    if (head === undefined) return this.#fail(UNREACHABLE);
    const h = head.headers;
    if (head.status !== 101) {
      const code = h['x-relay-error'];
      return this.#fail({
        ok: false,
        status: head.status,
        code: code !== undefined && CODE.test(code) ? code : 'RELAY_UNREACHABLE',
      });
    }
    if (
      h['upgrade']?.toLowerCase() !== 'websocket' ||
      !/\bupgrade\b/i.test(h['connection'] ?? '') ||
      h['sec-websocket-accept'] !== websocketAccept(this.#wsKey) ||
      h['sec-websocket-extensions'] !== undefined ||
      h['sec-websocket-protocol'] !== undefined
    ) {
      return this.#fail({ ok: false, status: 101, code: 'RELAY_UNREACHABLE' });
    }
    this.#wsKey = '';
    const response = h[RESPONSE_HEADER];
    const r = response === undefined ? undefined : this.#init!.accept(response);
    this.#init = undefined;
    if (r === undefined || !r.ok) {
      return this.#fail({ ok: false, status: 101, code: r?.code ?? 'CHANNEL_HANDSHAKE_FAILED' });
    }
    this.#session = r.session;
    this.#phase = 'open';
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#write(OPCODE.binary, r.finished);
    const settle = this.#settle!;
    this.#settle = undefined;
    settle({ ok: true, kiosk: this });
    if (end + 4 < buf.length) this.#frames(buf.subarray(end + 4));
  }

  #frames(chunk: Buffer): void {
    const err = this.#decoder.push(chunk, (opcode, payload) => this.#frame(opcode, payload));
    if (err !== undefined) this.terminate();
  }

  #frame(opcode: number, payload: Buffer): void {
    if (this.#phase !== 'open' && this.#phase !== 'closing') return;
    switch (opcode) {
      case OPCODE.binary:
        return this.#message(payload);
      case OPCODE.ping:
        this.pongs++;
        return this.#write(OPCODE.pong, payload);
      case OPCODE.pong:
        return;
      case OPCODE.close: {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.closeReason = payload.toString('utf8', 2);
        if (this.#phase === 'open') {
          this.#phase = 'closing';
          this.#write(OPCODE.close, payload.subarray(0, Math.min(2, payload.length)));
          this.#socket.end();
        }
        return;
      }
      default: // text: the channel carries binary frames only
        return this.terminate();
    }
  }

  #message(frame: Buffer): void {
    if (this.#phase !== 'open') return;
    const opened = this.#session!.open(frame);
    if (!opened.ok) return this.terminate();
    const m = decodeMessage(opened.plaintext, RelayToKiosk);
    if (!m.ok) return this.terminate();
    const v = m.value;
    if (v.type === 'notice') {
      this.notices++;
      return;
    }
    if (v.type !== 'heartbeat.ack') {
      if (this.onAnswer?.(v) !== true) this.unexpected++;
      return;
    }
    const w = this.#waiters?.get(v.seq);
    if (w === undefined) {
      this.unexpected++;
      return;
    }
    this.#waiters!.delete(v.seq);
    clearTimeout(w.timer);
    w.resolve(v);
  }

  #fail(r: LeanConnectResult): void {
    const settle = this.#settle;
    this.#settle = undefined;
    this.#init = undefined;
    this.#socket.destroy();
    if (settle === undefined) return;
    settle(r === UNREACHABLE && this.#cause !== undefined ? { ...UNREACHABLE, cause: this.#cause } : r);
  }

  #onClose(): void {
    const wasOpen = this.#phase === 'open' || this.#phase === 'closing';
    this.#phase = 'closed';
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!wasOpen) return this.#fail(UNREACHABLE); // no-op when already settled
    this.closeCode ??= 1006;
    this.#session?.close();
    if (this.#waiters !== undefined) {
      for (const w of this.#waiters.values()) {
        clearTimeout(w.timer);
        w.reject(new Error('closed'));
      }
      this.#waiters = undefined;
    }
    this.#resolveClosed();
  }
}
