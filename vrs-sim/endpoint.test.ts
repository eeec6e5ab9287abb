import { request as httpRequest } from 'node:http';
import { get as httpsGet } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import nacl from 'tweetnacl';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { setLogSink } from '../common/log.js';
import {
  fromBase64Url,
  generateIdentity,
  keyId,
  newRequestId,
  openAnswer,
  toBase64Url,
  type CertAnswerBody,
  type Identity,
  type VrsToRelay,
} from '../protocol/index.js';
import { loadFixtures, type FixtureResident } from './seed/fixtures.js';
import { startVrs, type RunningVrs } from './start.js';
import { connectTestRelay, type TestRelayClient } from './testing/relay-client.js';
import {
  cardFor,
  relayRequest,
  testKenhojoIssuer,
  vrsRequestMessage,
  type TestKenhojoIssuer,
} from './testing/requests.js';

const crypto = nodeCrypto;
const fixtures = loadFixtures();
const byId = (id: string): FixtureResident => {
  const f = fixtures.find((x) => x.id === id);
  if (!f) throw new Error(`fixture ${id} expected`);
  return f;
};
let cardCa: TestKenhojoIssuer;
let otherCa: TestKenhojoIssuer;

function cardOf(f: FixtureResident, ca = cardCa, change: Partial<FixtureResident> = {}) {
  const d = { ...f, ...change };
  return cardFor(
    { myNumber: d.myNumber, name: d.name, address: d.address, birthDate: d.birthDate, sex: d.sex },
    ca,
  );
}

const logLines: string[] = [];

describe('VRS endpoint over the LGWAN channel', () => {
  let dir: string;
  let vrs: RunningVrs;
  let relayId: Identity;
  let relay: TestRelayClient;
  let kiosk: Identity;
  const vrsKey = () => fromBase64Url(vrs.info.identityPublicKey) as Uint8Array;
  const boxKey = () => fromBase64Url(vrs.info.boxPublicKey) as Uint8Array;

  /** A kiosk's request through the relay, answered and opened on the kiosk side. */
  async function ask(
    f: FixtureResident,
    options: {
      municipality?: string;
      certType?: 'domestic' | 'overseas';
      card?: ReturnType<typeof cardOf>;
      kiosk?: Identity;
    } = {},
  ): Promise<{
    answer: CertAnswerBody;
    requestId: string;
    sealed: Uint8Array;
    reply: VrsToRelay;
    replyKey: { publicKey: Uint8Array; secretKey: Uint8Array };
  }> {
    const k = options.kiosk ?? kiosk;
    const { msg, sealed, replyKey, requestId } = vrsRequestMessage({
      vrsBoxPublicKey: boxKey(),
      kioskId: keyId(k.publicKey),
      municipality: options.municipality ?? f.municipality,
      certType: options.certType ?? 'domestic',
      card: options.card ?? cardOf(f),
      crypto,
    });
    relay.send(msg);
    const reply = await relay.next((m) => 'requestId' in m && m.requestId === requestId);
    if (reply.type !== 'vrs.response')
      throw new Error(`vrs.response expected, got ${reply.type} ${'code' in reply ? reply.code : ''}`);
    const keyCopy = { publicKey: replyKey.publicKey, secretKey: Uint8Array.from(replyKey.secretKey) };
    const opened = openAnswer({
      sealed: fromBase64Url(reply.sealed) as Uint8Array,
      replyKey,
      requestId,
      kioskId: keyId(k.publicKey),
      sealedRequest: sealed,
      crypto,
    });
    if (!opened.ok) throw new Error(`answer did not open: ${opened.code}`);
    return { answer: opened.answer, requestId, sealed, reply, replyKey: keyCopy };
  }

  beforeAll(async () => {
    cardCa = await testKenhojoIssuer();
    otherCa = await testKenhojoIssuer({ fresh: true });
    setLogSink((line) => logLines.push(line));
    dir = mkdtempSync(join(tmpdir(), 'vrs-endpoint-'));
    relayId = generateIdentity(crypto);
    kiosk = generateIdentity(crypto);
    vrs = await startVrs({
      stateDir: dir,
      relayPublicKeys: [toBase64Url(relayId.publicKey)],
      kenhojoIssuerCertificate: cardCa.certificate,
      seed: {
        perMunicipality: 50,
        seed: 'endpoint',
        municipalities: ['131016', '131041', '131130', '472018'],
      },
      ids: { threshold: 4, windowMs: 60_000 },
    });
    relay = await connectTestRelay({
      url: vrs.info.lgwan,
      identity: relayId,
      vrsPublicKey: vrsKey(),
      crypto,
    });
  });
  afterAll(async () => {
    relay?.close();
    await vrs?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints where it listens: loopback LGWAN, HTTPS directory at the issuer URL', () => {
    expect(vrs.info.lgwan).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(vrs.info.jwks).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/issuer\/\.well-known\/jwks\.json$/);
    expect(vrs.info.identityPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('issues a domestic certificate whose SHC verifies against the published JWKS', async () => {
    const taro = byId('taro');
    const { answer } = await ask(taro);
    expect(answer.outcome).toBe('issued');
    if (answer.outcome !== 'issued') return;
    expect(answer.person.name).toBe(taro.name);
    expect(answer.person.passportNumber).toBeUndefined();
    expect(answer.vdsNc).toBeUndefined();
    expect(answer.municipality.code).toBe('131016');
    expect(answer.doses.length).toBeGreaterThan(0);
    const jwks = await new Promise<JSONWebKeySet>((resolve, reject) =>
      httpsGet(vrs.info.jwks, { ca: vrs.tlsCertificate }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(JSON.parse(body) as JSONWebKeySet));
      }).on('error', reject),
    );
    const { payload } = await compactVerify(answer.shc, createLocalJWKSet(jwks));
    const p = JSON.parse(inflateRawSync(Buffer.from(payload)).toString()) as { iss: string };
    expect(p.iss).toBe(vrs.info.issuer);
    // Audit: one row with a keyed hash, never the number.
    const audit = await vrs.db.query<{ outcome: string; resident_hash: Uint8Array; certificate_id: string }>(
      "SELECT outcome, resident_hash, certificate_id FROM vrs_issuance WHERE outcome = 'issued'",
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]?.certificate_id).toBe(answer.certificateId);
    expect(new Uint8Array(audit.rows[0]?.resident_hash ?? [])).toHaveLength(32);
    const dump = JSON.stringify((await vrs.db.query('SELECT * FROM vrs_issuance')).rows);
    expect(dump).not.toContain(taro.myNumber);
  });

  it('binds the answer to its request: opened for another request id it fails', async () => {
    const taro = byId('taro');
    const { reply, sealed, replyKey } = await ask(taro);
    if (reply.type !== 'vrs.response') throw new Error('response expected');
    const other = openAnswer({
      sealed: fromBase64Url(reply.sealed) as Uint8Array,
      replyKey,
      requestId: newRequestId(crypto),
      kioskId: keyId(kiosk.publicKey),
      sealedRequest: sealed,
      crypto,
    });
    expect(other).toEqual({ ok: false, code: 'ENVELOPE_BINDING_MISMATCH' });
  });

  it('issues the overseas version with a VDS-NC for a resident with a registered passport', async () => {
    const o = byId('overseas');
    const { answer } = await ask(o, { certType: 'overseas' });
    expect(answer.outcome).toBe('issued');
    if (answer.outcome !== 'issued') return;
    expect(answer.person.passportNumber).toBe(o.passport?.number);
    expect(answer.person.nameRomaji).toBe(o.nameRomaji);
    expect(answer.vdsNc).toMatchObject({ data: { hdr: { is: 'JPN' }, msg: { uvci: answer.certificateId } } });
  });

  it('refuses the overseas version without a registered passport', async () => {
    expect((await ask(byId('taro'), { certType: 'overseas' })).answer).toEqual({
      outcome: 'refused',
      code: 'VRS_NO_PASSPORT',
    });
  });

  it('answers no-record for the resident without records and for the wrong municipality', async () => {
    const none = byId('norecords');
    expect((await ask(none)).answer).toEqual({ outcome: 'no-record' });
    expect((await ask(byId('taro'), { municipality: '131041' })).answer).toEqual({ outcome: 'no-record' });
    expect((await ask(byId('taro'), { municipality: '999999' })).answer).toEqual({
      outcome: 'refused',
      code: 'VRS_MUNICIPALITY_UNKNOWN',
    });
  });

  it('refuses a forged card and alerts the relay', async () => {
    const taro = byId('taro');
    const { answer } = await ask(taro, { card: cardOf(taro, otherCa) });
    expect(answer).toEqual({ outcome: 'refused', code: 'VRS_CARD_FORGED' });
    const alert = await relay.next((m) => m.type === 'vrs.alert' && m.kind === 'forged-card');
    expect(alert).toMatchObject({ type: 'vrs.alert', severity: 'critical', kioskId: keyId(kiosk.publicKey) });
    expect(JSON.stringify(alert)).not.toContain(taro.myNumber);
  });

  it('refuses a genuine card whose basic 4 information differs from the record', async () => {
    const taro = byId('taro');
    const moved = cardOf(taro, cardCa, { address: '東京都千代田区架空町九丁目9番9号' });
    expect((await ask(taro, { card: moved })).answer).toEqual({
      outcome: 'refused',
      code: 'VRS_BASIC4_MISMATCH',
    });
    expect(logLines.join('\n')).not.toContain('架空町九丁目');
    expect(logLines.join('\n')).not.toContain(taro.myNumber);
    expect(logLines.join('\n')).not.toContain(taro.name);
  });

  it('answers a retried request id with the same answer and issues once', async () => {
    const taro = byId('taro');
    const request = {
      vrsBoxPublicKey: boxKey(),
      kioskId: keyId(kiosk.publicKey),
      municipality: '131016',
      crypto,
    };
    const { msg, requestId } = vrsRequestMessage({ ...request, card: cardOf(taro) });
    relay.send(msg);
    relay.send(msg);
    const a = await relay.next((m) => 'requestId' in m && m.requestId === requestId);
    const b = await relay.next((m) => 'requestId' in m && m.requestId === requestId);
    expect(a).toEqual(b);
    // The same id with other content is a replay.
    relay.send(vrsRequestMessage({ ...request, requestId, card: cardOf(taro) }).msg);
    expect(await relay.next((m) => 'requestId' in m && m.requestId === requestId)).toMatchObject({
      type: 'vrs.error',
      code: 'VRS_REQUEST_MISROUTED',
    });
    await relay.next((m) => m.type === 'vrs.alert' && m.kind === 'replayed-request');
  });

  it('refuses a request whose routing differs from its sealed content', async () => {
    const { msg, requestId } = vrsRequestMessage({
      vrsBoxPublicKey: boxKey(),
      kioskId: keyId(kiosk.publicKey),
      municipality: '131016',
      card: cardOf(byId('taro')),
      crypto,
    });
    const other = generateIdentity(crypto);
    relay.send({ ...msg, kioskId: keyId(other.publicKey) });
    expect(await relay.next((m) => 'requestId' in m && m.requestId === requestId)).toMatchObject({
      type: 'vrs.error',
      code: 'VRS_REQUEST_MISROUTED',
    });
    // Sealed to another key: the envelope does not open.
    const id2 = newRequestId(crypto);
    relay.send(
      relayRequest({
        requestId: id2,
        kioskId: keyId(kiosk.publicKey),
        municipality: '131016',
        sealed: Uint8Array.of(1, ...nacl.randomBytes(200)),
      }),
    );
    expect(await relay.next((m) => 'requestId' in m && m.requestId === id2)).toMatchObject({
      type: 'vrs.error',
      code: 'ENVELOPE_AUTH_FAILED',
    });
  });

  it('lists its municipalities', async () => {
    const requestId = newRequestId(crypto);
    relay.send({ v: 1, type: 'vrs.municipalities.request', requestId });
    const r = await relay.next((m) => m.type === 'vrs.municipalities.response');
    expect(r.type === 'vrs.municipalities.response' && r.list.length).toBe(1741);
    // A crypto-shredded municipality is no longer offered.
    vrs.keyStore.shred('131041');
    const again = newRequestId(crypto);
    relay.send({ v: 1, type: 'vrs.municipalities.request', requestId: again });
    const r2 = await relay.next((m) => m.type === 'vrs.municipalities.response' && m.requestId === again);
    const codes = r2.type === 'vrs.municipalities.response' ? r2.list : [];
    expect(codes).toContain('131016');
    expect(codes).not.toContain('131041');
    expect((await ask(byId('taro'), { municipality: '131041' })).answer).toEqual({
      outcome: 'refused',
      code: 'VRS_DATA_SHREDDED',
    });
  });

  it('throttles one kiosk asking for many different residents', async () => {
    const scanner = generateIdentity(crypto);
    const residents = ['taro', 'overseas', 'norecords', 'hanako', 'gaiji'].map(byId);
    const answers: CertAnswerBody[] = [];
    for (const f of residents)
      answers.push((await ask(f, { kiosk: scanner, municipality: '131016' })).answer);
    expect(answers.slice(0, 4).every((a) => a.outcome !== 'refused')).toBe(true);
    expect(answers[4]).toEqual({ outcome: 'refused', code: 'VRS_RATE_LIMITED' });
    await relay.next(
      (m) => m.type === 'vrs.alert' && m.kind === 'many-residents' && m.kioskId === keyId(scanner.publicKey),
    );
  });

  it('refuses plain HTTP, a missing or bad hello, and an unknown relay key, raising alerts', async () => {
    const status = await new Promise<number>((resolve, reject) =>
      httpRequest(vrs.info.lgwan.replace('ws:', 'http:') + '/', (res) => resolve(res.statusCode ?? 0))
        .on('error', reject)
        .end(),
    );
    expect(status).toBe(426);
    const upgrade = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(vrs.info.lgwan, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => resolve(-1));
      });
    expect(await upgrade({})).toBe(401);
    expect(await upgrade({ 'x-channel-hello': 'AAAA' })).toBe(401);
    await expect(
      connectTestRelay({
        url: vrs.info.lgwan,
        identity: generateIdentity(crypto),
        vrsPublicKey: vrsKey(),
        crypto,
      }),
    ).rejects.toMatchObject({ status: 403 });
    // A client pinning the wrong VRS key refuses VRS.
    await expect(
      connectTestRelay({
        url: vrs.info.lgwan,
        identity: relayId,
        vrsPublicKey: generateIdentity(crypto).publicKey,
        crypto,
      }),
    ).rejects.toThrow(/CHANNEL_UNKNOWN_PEER/);
    for (const kind of ['not-channel', 'handshake-failed', 'unknown-peer'])
      await relay.next((m) => m.type === 'vrs.alert' && m.kind === kind);
    await vrs.alerts.flushed();
    const stored = await vrs.db.query<{ kind: string }>('SELECT DISTINCT kind FROM vrs_alert');
    expect(stored.rows.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['not-channel', 'handshake-failed', 'unknown-peer', 'forged-card']),
    );
  });

  it('closes a channel that carries a malformed message, and alerts', async () => {
    const second = await connectTestRelay({
      url: vrs.info.lgwan,
      identity: relayId,
      vrsPublicKey: vrsKey(),
      crypto,
    });
    second.sendSealedBytes(new TextEncoder().encode('{"v":1,"type":"vrs.nonsense"}'));
    expect(await second.closed).toBeGreaterThan(0);
    await relay.next((m) => m.type === 'vrs.alert' && m.kind === 'malformed-message');
  });
});
