import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../../common/crypto-node.js';
import {
  fromBase64Url,
  generateIdentity,
  keyId,
  newRequestId,
  openRequest,
  sealAnswer,
  toBase64Url,
  x25519KeyPair,
  type CertAnswerBody,
  type CertRequestFields,
  type DeviceHealth,
  type KioskToRelay,
} from '../../../protocol/index.js';
import { RelayClient, type RelayClientOptions } from './client.js';
import { enrollKiosk } from './enroll.js';
import { nextDelay } from './backoff.js';
import { startTestResponder, type TestConnection, type TestResponder } from './testing/responder.js';

const crypto = nodeCrypto;
const relayId = generateIdentity(crypto);
const kioskId = generateIdentity(crypto);
const vrsBox = x25519KeyPair(crypto);
const HEALTH: DeviceHealth = {
  reader: 'ok',
  printer: 'ok',
  paper: 'low',
  pinpad: 'ok',
  coin: 'ok',
  hopper: 'ok',
  software: 'kiosk-test',
};
const ISSUED: CertAnswerBody = { outcome: 'no-record' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Fictional card files: the test VRS never parses them. */
function request(client: RelayClient): CertRequestFields {
  const b = (n: number) => toBase64Url(crypto.randomBytes(n));
  return {
    requestId: newRequestId(crypto),
    kioskId: client.kioskId,
    municipality: '131016',
    certType: 'domestic',
    copies: 1,
    card: { myNumberEf: b(14), basic4Ef: b(120), signatureEf: b(300), certificateEf: b(600) },
  };
}

/** A stand-in VRS behind the responder: opens the sealed request, answers `body` sealed to the kiosk. */
function answerAsVrs(body: CertAnswerBody, bindTo?: (requestId: string) => string) {
  return (m: KioskToRelay, conn: TestConnection) => {
    if (m.type === 'heartbeat')
      return conn.send({ v: 1, type: 'heartbeat.ack', seq: m.seq, serverTime: Date.now() });
    if (m.type === 'municipalities.request') {
      return conn.send({
        v: 1,
        type: 'municipalities.response',
        requestId: m.requestId,
        list: ['131016'],
      });
    }
    if (m.type !== 'issue.request') return;
    const sealed = fromBase64Url(m.sealed) ?? new Uint8Array();
    const opened = openRequest({ sealed, vrsBoxSecretKey: vrsBox.secretKey, crypto });
    if (!opened.ok)
      return conn.send({ v: 1, type: 'issue.error', requestId: m.requestId, code: opened.code });
    const req = bindTo === undefined ? opened.request : { ...opened.request, requestId: bindTo(m.requestId) };
    const answer = sealAnswer({ request: req, sealedRequest: sealed, body, crypto });
    conn.send({ v: 1, type: 'issue.response', requestId: m.requestId, sealed: toBase64Url(answer) });
  };
}

async function responder(handler = answerAsVrs(ISSUED)): Promise<TestResponder> {
  const r = await startTestResponder({ identity: relayId, crypto, kioskKeys: [kioskId.publicKey], handler });
  cleanups.push(() => r.close());
  return r;
}

function client(url: string, extra: Partial<RelayClientOptions> = {}): RelayClient {
  const c = new RelayClient({
    url,
    identity: kioskId,
    relayPublicKey: relayId.publicKey,
    vrsBoxPublicKey: vrsBox.publicKey,
    crypto,
    health: () => HEALTH,
    backoff: { baseMs: 20, maxMs: 100 },
    requestTimeoutMs: 2000,
    ...extra,
  });
  cleanups.push(() => c.stop());
  return c;
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('RelayClient', () => {
  it('connects with the channel handshake, lists municipalities and issues through the sealed envelope', async () => {
    const issued: CertAnswerBody = { outcome: 'refused', code: 'VRS_CARD_INVALID' };
    const relay = await responder(answerAsVrs(issued));
    const c = client(relay.url);
    c.start();
    await until(() => c.available(), 'connection');
    const list = await c.requestMunicipalities();
    expect(list.ok && list.list[0]).toBe('131016');
    const r = await c.issue({ request: request(c) });
    expect(r).toEqual({ ok: true, answer: issued });
    // The relay saw only routing fields; the card data stayed sealed.
    const seen = relay.received.find((m) => m.type === 'issue.request');
    expect(seen).toMatchObject({ municipality: '131016', certType: 'domestic' });
    expect(JSON.stringify(seen)).not.toContain('myNumberEf');
  });

  it('sends a heartbeat with device health, and reconnects when heartbeats go unanswered', async () => {
    const relay = await responder(() => undefined); // never acks
    const c = client(relay.url, { heartbeatMs: 50 });
    c.start();
    await until(() => relay.received.some((m) => m.type === 'heartbeat'), 'a heartbeat');
    expect(relay.received.find((m) => m.type === 'heartbeat')).toMatchObject({ health: HEALTH });
    await until(() => relay.connections.length >= 2, 'a reconnect after missed acks');
  });

  it('refuses a relay that is not the pinned key: CHANNEL_UNKNOWN_PEER, nothing sent', async () => {
    const relay = await responder();
    const c = client(relay.url, { relayPublicKey: generateIdentity(crypto).publicKey });
    c.start();
    await until(() => c.lastError !== null, 'a failed handshake');
    expect(c.lastError).toBe('CHANNEL_UNKNOWN_PEER');
    expect(c.available()).toBe(false);
    expect(relay.connections).toHaveLength(0);
    expect((await c.issue({ request: request(c) })).ok).toBe(false);
  });

  it('reports the code of a refused upgrade (kiosk not enrolled)', async () => {
    const relay = await responder();
    relay.refuse({ status: 403, code: 'RELAY_KIOSK_UNKNOWN' });
    const c = client(relay.url);
    c.start();
    await until(() => c.lastError !== null, 'a refusal');
    expect(c.lastError).toBe('RELAY_KIOSK_UNKNOWN');
  });

  it('closes the channel on a tampered frame: CHANNEL_AUTH_FAILED, then reconnects', async () => {
    const relay = await responder((m, conn) => {
      if (m.type !== 'issue.request') return;
      const frame = conn.session.seal(new TextEncoder().encode('{"v":1}'));
      frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 1;
      conn.sendRaw(frame);
    });
    const c = client(relay.url);
    c.start();
    await until(() => c.available(), 'connection');
    const r = await c.issue({ request: request(c) });
    expect(r).toEqual({ ok: false, code: 'CHANNEL_AUTH_FAILED' });
    await until(() => relay.connections.length >= 2 && c.available(), 'a new channel');
  });

  it('closes the channel on a replayed frame, a text frame, and a sealed message that is not one', async () => {
    const cases: [string, (conn: TestConnection) => void][] = [
      [
        'CHANNEL_REPLAY',
        (conn) => {
          const f = conn.session.seal(
            new TextEncoder().encode('{"v":1,"type":"heartbeat.ack","seq":0,"serverTime":0}'),
          );
          conn.sendRaw(f);
          conn.sendRaw(f);
        },
      ],
      ['PROTOCOL_MALFORMED', (conn) => conn.ws.send('{"v":1}')],
      [
        'PROTOCOL_MALFORMED',
        (conn) => conn.sendRaw(conn.session.seal(new TextEncoder().encode('{"v":1,"type":"x"}'))),
      ],
      [
        'PROTOCOL_UNSUPPORTED_VERSION',
        (conn) => conn.sendRaw(conn.session.seal(new TextEncoder().encode('{"v":2,"type":"heartbeat.ack"}'))),
      ],
    ];
    for (const [code, misbehave] of cases) {
      const relay = await responder((m, conn) => {
        if (m.type === 'issue.request') misbehave(conn);
      });
      const c = client(relay.url);
      c.start();
      await until(() => c.available(), 'connection');
      expect(await c.issue({ request: request(c) })).toEqual({ ok: false, code });
    }
  });

  it('refuses an answer bound to another request (ENVELOPE_BINDING_MISMATCH) and reports it', async () => {
    const other = newRequestId(crypto);
    const relay = await responder(answerAsVrs(ISSUED, () => other));
    const c = client(relay.url);
    c.start();
    await until(() => c.available(), 'connection');
    const req = request(c);
    expect(await c.issue({ request: req })).toEqual({ ok: false, code: 'ENVELOPE_BINDING_MISMATCH' });
    await until(() => relay.received.some((m) => m.type === 'issue.outcome'), 'the outcome report');
    expect(relay.received.find((m) => m.type === 'issue.outcome')).toMatchObject({
      requestId: req.requestId,
      outcome: 'binding-mismatch',
      code: 'ENVELOPE_BINDING_MISMATCH',
    });
  });

  it('keeps an outcome until the relay acknowledges it, sending it again on each new session', async () => {
    let ack = false;
    const relay = await responder((m, conn) => {
      if (m.type === 'heartbeat')
        conn.send({ v: 1, type: 'heartbeat.ack', seq: m.seq, serverTime: Date.now() });
      if (m.type === 'issue.outcome' && ack)
        conn.send({ v: 1, type: 'issue.outcome.ack', requestId: m.requestId });
    });
    const c = client(relay.url);
    c.start();
    await until(() => c.available(), 'connection');
    const id = newRequestId(crypto);
    c.reportOutcome(id, 'printed');
    const outcomes = () =>
      relay.received.filter((m) => m.type === 'issue.outcome' && m.requestId === id).length;
    await until(() => outcomes() === 1, 'the outcome');
    expect(c.unacknowledgedOutcomes).toEqual([id]);
    // The line drops before any acknowledgement: the next session carries the outcome again.
    ack = true;
    for (const conn of relay.connections) conn.ws.terminate();
    await until(() => outcomes() === 2, 'the outcome sent again');
    await until(() => c.unacknowledgedOutcomes.length === 0, 'the acknowledgement');
    const sessions = relay.connections.length;
    const before = relay.received.length;
    for (const conn of relay.connections) conn.ws.terminate();
    // A new session resends before its first heartbeat: once that heartbeat is in, nothing more is coming.
    await until(
      () =>
        relay.connections.length > sessions &&
        relay.received.slice(before).some((m) => m.type === 'heartbeat'),
      'a heartbeat on a third session',
    );
    expect(outcomes()).toBe(2); // acknowledged: never sent again
  });

  it('passes on an issue.error code, and times out a request that gets no answer', async () => {
    const relay = await responder((m, conn) => {
      if (m.type === 'issue.request' && m.municipality === '131016') {
        conn.send({ v: 1, type: 'issue.error', requestId: m.requestId, code: 'RELAY_VRS_UNAVAILABLE' });
      }
    });
    const c = client(relay.url, { requestTimeoutMs: 200 });
    c.start();
    await until(() => c.available(), 'connection');
    expect(await c.issue({ request: request(c) })).toEqual({ ok: false, code: 'RELAY_VRS_UNAVAILABLE' });
    expect(await c.issue({ request: { ...request(c), municipality: '271004' } })).toEqual({
      ok: false,
      code: 'KIOSK_RELAY_TIMEOUT',
    });
  });

  it('answers RELAY_UNREACHABLE when the relay is down, and ends a waiting request when the line drops', async () => {
    const down = client('ws://127.0.0.1:9/kiosk');
    down.start();
    await until(() => down.lastError !== null, 'a failed connect');
    expect(down.lastError).toBe('RELAY_UNREACHABLE');
    expect(await down.issue({ request: request(down) })).toEqual({ ok: false, code: 'RELAY_UNREACHABLE' });

    const relay = await responder((m, conn) => {
      if (m.type === 'issue.request') conn.ws.terminate();
    });
    const c = client(relay.url);
    c.start();
    await until(() => c.available(), 'connection');
    expect(await c.issue({ request: request(c) })).toEqual({ ok: false, code: 'RELAY_UNREACHABLE' });
  });

  it('stops issuing on a fleet-wide stop notice and resumes on the resume notice', async () => {
    const relay = await responder();
    const c = client(relay.url);
    c.start();
    // The kiosk is connected once it has sent its finished frame; the relay side once it has read it.
    await until(() => c.available() && relay.connections.length > 0, 'connection');
    relay.connections[0]?.send({ v: 1, type: 'notice', code: 'RELAY_ISSUANCE_STOPPED' });
    await until(() => !c.available(), 'the stop');
    expect(await c.issue({ request: request(c) })).toEqual({ ok: false, code: 'RELAY_ISSUANCE_STOPPED' });
    relay.connections[0]?.send({ v: 1, type: 'notice', code: 'RELAY_ISSUANCE_RESUMED' });
    await until(() => c.available(), 'the resume');
  });

  it('throws on a caller mistake: a request for another kiosk id, a bad box key', async () => {
    const c = client('ws://127.0.0.1:9/kiosk');
    await expect(c.issue({ request: { ...request(c), kioskId: keyId(relayId.publicKey) } })).rejects.toThrow(
      TypeError,
    );
    expect(() => client('ws://x', { vrsBoxPublicKey: new Uint8Array(3) })).toThrow(TypeError);
  });
});

describe('nextDelay', () => {
  it('grows exponentially with jitter inside [cap/2, cap] and stops at the maximum', () => {
    expect(nextDelay(0, { random: () => 0 })).toBe(250);
    expect(nextDelay(0, { random: () => 0.999999 })).toBe(500);
    expect(nextDelay(3, { random: () => 0 })).toBe(2000);
    expect(nextDelay(40, { random: () => 1 })).toBe(30_000);
    expect(() => nextDelay(-1)).toThrow(TypeError);
  });
});

describe('enrollKiosk', () => {
  async function enrollServer(status: number, body: unknown) {
    let seen: unknown;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/enroll`, seen: () => seen };
  }

  it('posts the code and public key, and checks the relay key it answers against the pinned one', async () => {
    const relayKey = keyId(relayId.publicKey);
    const s = await enrollServer(200, {
      ok: true,
      kioskId: keyId(kioskId.publicKey),
      relayPublicKey: relayKey,
    });
    const r = await enrollKiosk({
      relayEnrollUrl: s.url,
      code: 'ABCD-1234',
      identity: kioskId,
      relayPublicKey: relayKey,
    });
    expect(r).toEqual({ ok: true, kioskId: keyId(kioskId.publicKey) });
    expect(s.seen()).toEqual({ code: 'ABCD-1234', publicKey: keyId(kioskId.publicKey) });
    const wrong = await enrollKiosk({
      relayEnrollUrl: s.url,
      code: 'ABCD-1234',
      identity: kioskId,
      relayPublicKey: keyId(generateIdentity(crypto).publicKey),
    });
    expect(wrong).toEqual({ ok: false, code: 'CHANNEL_UNKNOWN_PEER' });
  });

  it('passes on the relay code, and answers RELAY_UNREACHABLE / PROTOCOL_MALFORMED', async () => {
    const refused = await enrollServer(403, { ok: false, code: 'RELAY_ENROLL_CODE_INVALID' });
    expect(await enrollKiosk({ relayEnrollUrl: refused.url, code: 'x', identity: kioskId })).toEqual({
      ok: false,
      code: 'RELAY_ENROLL_CODE_INVALID',
    });
    const odd = await enrollServer(200, { hello: 1 });
    expect((await enrollKiosk({ relayEnrollUrl: odd.url, code: 'x', identity: kioskId })).ok).toBe(false);
    expect(
      await enrollKiosk({ relayEnrollUrl: 'http://127.0.0.1:9/enroll', code: 'x', identity: kioskId }),
    ).toEqual({
      ok: false,
      code: 'RELAY_UNREACHABLE',
    });
    await expect(enrollKiosk({ relayEnrollUrl: odd.url, code: '', identity: kioskId })).rejects.toThrow(
      TypeError,
    );
  });
});
