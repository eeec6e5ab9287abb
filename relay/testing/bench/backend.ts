import { parseKey } from '../../../protocol/index.js';
import { FakeVrs } from '../fake-vrs.js';
import { MUNICIPALITIES } from '../harness.js';
import { startBareEcho } from './bare.js';
import { send } from './ipc.js';

/**
 * Benchmark back end, in its own process: `bare` is a ws echo server (the baseline's back end); `relay`
 * is a VRS channel peer answering each request at once with its own bytes (no envelope work).
 */
const mode = process.argv[2];
if (mode === 'bare') {
  send({ url: (await startBareEcho()).url });
} else {
  const relayKey = parseKey(process.argv[3] ?? '');
  if (relayKey === undefined) throw new TypeError('argv[3]: relay key expected');
  const vrs = new FakeVrs({ relayPublicKey: relayKey, municipalities: MUNICIPALITIES, echo: true });
  const url = await vrs.listen();
  send({ url, publicKey: vrs.publicKey });
}
