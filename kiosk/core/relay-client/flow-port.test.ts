import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../../common/crypto-node.js';
import {
  fromBase64Url,
  generateIdentity,
  openRequest,
  sealAnswer,
  toBase64Url,
  x25519KeyPair,
  type CertAnswerBody,
  type IssuedBody,
} from '../../../protocol/index.js';
import { createTestIssuer, sampleAnswer } from '../certificate/testing/fixtures.js';
import type { IssueRequest } from '../flow/ports.js';
import { RelayClient } from './client.js';
import { relayClientPort } from './flow-port.js';
import { startTestResponder, type TestResponder } from './testing/responder.js';

const crypto = nodeCrypto;
const relayId = generateIdentity(crypto);
const kioskId = generateIdentity(crypto);
const vrsBox = x25519KeyPair(crypto);
let issued: IssuedBody;
let body: CertAnswerBody;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  issued = await sampleAnswer(await createTestIssuer(), { certType: 'domestic' });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ relay: TestResponder; port: ReturnType<typeof relayClientPort> }> {
  const relay = await startTestResponder({
    identity: relayId,
    crypto,
    kioskKeys: [kioskId.publicKey],
    handler: (m, conn) => {
      if (m.type === 'heartbeat')
        return conn.send({ v: 1, type: 'heartbeat.ack', seq: m.seq, serverTime: 0 });
      if (m.type !== 'issue.request') return;
      const sealed = fromBase64Url(m.sealed) ?? new Uint8Array();
      const opened = openRequest({ sealed, vrsBoxSecretKey: vrsBox.secretKey, crypto });
      if (!opened.ok) return;
      const answer = sealAnswer({ request: opened.request, sealedRequest: sealed, body, crypto });
      conn.send({ v: 1, type: 'issue.response', requestId: m.requestId, sealed: toBase64Url(answer) });
    },
  });
  const client = new RelayClient({
    url: relay.url,
    identity: kioskId,
    relayPublicKey: relayId.publicKey,
    vrsBoxPublicKey: vrsBox.publicKey,
    crypto,
    health: () => ({
      reader: 'ok',
      printer: 'ok',
      paper: 'ok',
      pinpad: 'ok',
      coin: 'ok',
      hopper: 'ok',
      software: 't',
    }),
  });
  cleanups.push(
    () => relay.close(),
    () => client.stop(),
  );
  client.start();
  const end = Date.now() + 5000;
  while (!client.available() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return { relay, port: relayClientPort(client, crypto) };
}

const card = {
  myNumberEf: new Uint8Array(14),
  basic4Ef: new Uint8Array(80),
  signatureEf: new Uint8Array(90),
  certificateEf: new Uint8Array(100),
};
const ask = (certType: 'domestic' | 'overseas'): IssueRequest => ({
  card,
  municipality: '131016',
  certType,
  copies: 1,
});

describe('relayClientPort (the flow port over RelayClient)', () => {
  it('turns an issued answer into the preview and the printable certificate', async () => {
    body = issued;
    const { port } = await setup();
    expect(port.available()).toBe(true);
    const r = await port.issue(ask('domestic'));
    expect(r.ok && r.outcome === 'issued' && r.preview.name).toBe('試験 太郎');
    expect(r.ok && r.outcome === 'issued' && r.certificate.shc).toBe(issued.shc);
  });

  it('passes on no-record and refusals, and refuses an answer for another template', async () => {
    body = { outcome: 'no-record' };
    const a = await setup();
    expect(await a.port.issue(ask('domestic'))).toEqual({ ok: true, outcome: 'no-record' });
    body = { outcome: 'refused', code: 'VRS_NO_PASSPORT' };
    expect(await a.port.issue(ask('overseas'))).toEqual({ ok: false, code: 'VRS_NO_PASSPORT' });
    body = issued; // domestic, but overseas asked
    expect(await a.port.issue(ask('overseas'))).toEqual({ ok: false, code: 'ENVELOPE_BINDING_MISMATCH' });
    const end = Date.now() + 5000;
    while (!a.relay.received.some((m) => m.type === 'issue.outcome') && Date.now() < end)
      await new Promise((r) => setTimeout(r, 10));
    expect(a.relay.received.find((m) => m.type === 'issue.outcome')).toMatchObject({
      requestId: a.port.lastRequestId(),
      outcome: 'binding-mismatch',
    });
  });
});
