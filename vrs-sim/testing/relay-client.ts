import WebSocket from 'ws';
import {
  createInitiator,
  decodeMessage,
  encodeMessage,
  HELLO_HEADER,
  RESPONSE_HEADER,
  VrsToRelay,
  type ChannelSession,
  type CryptoProvider,
  type Identity,
  type RelayToVrs,
} from '../../protocol/index.js';

/** A minimal relay side of the LGWAN channel, for tests and benchmarks of the VRS endpoint. */
export interface TestRelayClient {
  send(msg: RelayToVrs): void;
  /** Sends raw bytes sealed in the channel (for malformed-message tests). */
  sendSealedBytes(bytes: Uint8Array): void;
  /** The next message VRS sends that matches `filter` (default: any). */
  next(filter?: (m: VrsToRelay) => boolean, timeoutMs?: number): Promise<VrsToRelay>;
  /** Everything received so far. */
  readonly received: VrsToRelay[];
  readonly closed: Promise<number>;
  close(): void;
}

export async function connectTestRelay(options: {
  url: string;
  identity: Identity;
  vrsPublicKey: Uint8Array;
  crypto: CryptoProvider;
}): Promise<TestRelayClient> {
  const init = createInitiator({
    identity: options.identity,
    peerPublicKey: options.vrsPublicKey,
    crypto: options.crypto,
  });
  const ws = new WebSocket(options.url, {
    headers: { [HELLO_HEADER]: init.hello },
    perMessageDeflate: false,
  });
  let response: string | undefined;
  ws.on('upgrade', (res) => {
    const h = res.headers[RESPONSE_HEADER];
    response = typeof h === 'string' ? h : undefined;
  });
  const received: VrsToRelay[] = [];
  const waiters: { filter: (m: VrsToRelay) => boolean; resolve: (m: VrsToRelay) => void }[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const session = await new Promise<ChannelSession>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once('open', () => {
      const r = response === undefined ? undefined : init.accept(response);
      if (r === undefined || !r.ok) return reject(new Error(`handshake: ${r?.code ?? 'no response header'}`));
      ws.send(r.finished);
      resolve(r.session);
    });
  });
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    const opened = session.open(new Uint8Array(data as Buffer));
    if (!opened.ok) return void ws.terminate();
    const msg = decodeMessage(opened.plaintext, VrsToRelay);
    if (!msg.ok) return void ws.terminate();
    const i = waiters.findIndex((w) => w.filter(msg.value));
    const w = i >= 0 ? waiters.splice(i, 1)[0] : undefined;
    if (w) w.resolve(msg.value);
    else received.push(msg.value);
  });
  return {
    received,
    closed,
    send: (msg) => ws.send(session.seal(encodeMessage(msg))),
    sendSealedBytes: (bytes) => ws.send(session.seal(bytes)),
    next(filter = () => true, timeoutMs = 10_000) {
      const i = received.findIndex(filter);
      if (i >= 0) return Promise.resolve(received.splice(i, 1)[0] as VrsToRelay);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no matching message from VRS')), timeoutMs);
        waiters.push({ filter, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
    close: () => ws.close(),
  };
}
