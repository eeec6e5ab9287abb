import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { parseKey } from '../../../protocol/index.js';
import { FakeVrs } from '../fake-vrs.js';
import { MUNICIPALITIES } from '../harness.js';
import { send } from './ipc.js';

/**
 * Benchmark back end, in its own process: `bare` is a ws echo server (the baseline's back end); `relay`
 * is a VRS channel peer answering each request at once with its own bytes (no envelope work).
 */
const mode = process.argv[2];
if (mode === 'bare') {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', (d, bin) => ws.send(d, { binary: bin })));
  server.listen(0, '127.0.0.1', () =>
    send({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
} else {
  const relayKey = parseKey(process.argv[3] ?? '');
  if (relayKey === undefined) throw new TypeError('argv[3]: relay key expected');
  const vrs = new FakeVrs({ relayPublicKey: relayKey, municipalities: MUNICIPALITIES, echo: true });
  const url = await vrs.listen();
  send({ url, publicKey: vrs.publicKey });
}
