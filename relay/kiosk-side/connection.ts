import type WebSocket from 'ws';
import {
  encodeMessage,
  type ChannelSession,
  type PendingSession,
  type RelayToKiosk,
} from '../../protocol/index.js';
import type { KioskPeer } from '../forward/forwarder.js';
import { sendCorked } from '../corked-send.js';
import { RateBuckets, type KioskRates } from './rate.js';

/** Above this many unsent bytes the kiosk is not reading: the connection is dropped (backpressure). */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One kiosk's WebSocket connection: pending until its first frame completes the handshake, then a
 * session. Kept small (tens of thousands are held per process): no per-connection timers or closures
 * beyond the socket's own listeners.
 */
export class KioskConnection implements KioskPeer {
  readonly ws: WebSocket;
  readonly kioskId: string;
  readonly source: string;
  readonly openedAt: number;
  pending: PendingSession | undefined;
  session: ChannelSession | undefined;
  establishedAt = 0;
  alive = true;
  inflight = 0;
  /** Token buckets per message class (handed on to a session that replaces this one on this process). */
  rates: RateBuckets;
  #closed = false;

  constructor(
    ws: WebSocket,
    kioskId: string,
    source: string,
    pending: PendingSession,
    now: number,
    rates: KioskRates,
  ) {
    this.ws = ws;
    this.kioskId = kioskId;
    this.source = source;
    this.pending = pending;
    this.openedAt = now;
    this.rates = new RateBuckets(rates, now);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Seals and sends; false (and the connection dropped) when the kiosk is not reading. */
  send(msg: RelayToKiosk): boolean {
    const session = this.session;
    if (this.#closed || session === undefined || session.closed) return false;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(4008, 'RELAY_BUSY');
      return false;
    }
    sendCorked(this.ws, session.seal(encodeMessage(msg)));
    return true;
  }

  /** Closes with a WebSocket close code and a reason that is an error code. */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.session?.close();
    this.ws.close(code, reason);
    // A peer that never answers the close handshake is cut after a short grace period.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  markClosed(): void {
    this.#closed = true;
    this.session?.close();
  }
}
