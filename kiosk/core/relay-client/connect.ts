import WebSocket from 'ws';
import {
  HELLO_HEADER,
  MAX_FRAME_BYTES,
  RESPONSE_HEADER,
  createInitiator,
  type ChannelSession,
  type CryptoProvider,
  type Identity,
} from '../../../protocol/index.js';

export interface ConnectOptions {
  readonly url: string;
  readonly identity: Identity;
  /** The relay's identity key, pinned from the kiosk's configuration. */
  readonly relayPublicKey: Uint8Array;
  readonly crypto: CryptoProvider;
  /** Upgrade and handshake, in ms (default 10 000). */
  readonly handshakeTimeoutMs?: number;
}

export type Connected = { ok: true; ws: WebSocket; session: ChannelSession } | { ok: false; code: string };

const CODE = /^[A-Z][A-Z0-9_]{2,63}$/;

/**
 * Opens one authenticated channel to the relay: the hello goes in the `x-channel-hello` header of the
 * upgrade, the relay's answer comes back in `x-channel-response` on the 101, and the `finished` frame is the
 * first binary frame sent. Resolves with the open socket and its session, or a code:
 * - RELAY_UNREACHABLE: no connection, a timeout, or an upgrade refused without a code;
 * - the relay's `x-relay-error` code when it refused the upgrade (RELAY_KIOSK_UNKNOWN, RELAY_BANNED, …);
 * - CHANNEL_UNKNOWN_PEER when the responder is not the pinned relay key; CHANNEL_HANDSHAKE_FAILED when its
 *   answer is missing or does not verify.
 */
export function connectChannel(options: ConnectOptions): Promise<Connected> {
  const init = createInitiator({
    identity: options.identity,
    peerPublicKey: options.relayPublicKey,
    crypto: options.crypto,
  });
  return new Promise<Connected>((resolve) => {
    let settled = false;
    let response: string | undefined;
    const ws = new WebSocket(options.url, {
      headers: { [HELLO_HEADER]: init.hello },
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      followRedirects: false,
    });
    const finish = (result: Connected) => {
      if (settled) return;
      settled = true;
      if (!result.ok) ws.terminate();
      resolve(result);
    };
    ws.on('error', () => finish({ ok: false, code: 'RELAY_UNREACHABLE' }));
    ws.on('close', () => finish({ ok: false, code: 'RELAY_UNREACHABLE' }));
    ws.on('upgrade', (res) => {
      const h = res.headers[RESPONSE_HEADER];
      response = typeof h === 'string' ? h : undefined;
    });
    ws.on('unexpected-response', (_req, res) => {
      const h = res.headers['x-relay-error'];
      const code = typeof h === 'string' && CODE.test(h) ? h : 'RELAY_UNREACHABLE';
      res.resume();
      finish({ ok: false, code });
    });
    ws.on('open', () => {
      if (response === undefined) return finish({ ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' });
      const accepted = init.accept(response);
      if (!accepted.ok) return finish({ ok: false, code: accepted.code });
      ws.send(accepted.finished);
      finish({ ok: true, ws, session: accepted.session });
    });
  });
}
