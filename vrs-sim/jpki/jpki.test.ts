import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../common/crypto-node.js';
import { openDb, type Db } from '../../common/db.js';
import { createLogger } from '../../common/log.js';
import type { JpkiCardMaterial } from '../../jlis-sim/jlis.js';
import { generateIdentity, keyId, openAnswer, type VrsToRelay } from '../../protocol/index.js';
import { AlertCenter, type Alert } from '../alerts.js';
import type { RequestHandler } from '../handler.js';
import { loadFixtures } from '../seed/fixtures.js';
import { seedStore } from '../seed/seed.js';
import { KeyStore } from '../storage/keystore.js';
import { ResidentStore } from '../storage/store.js';
import {
  cardFor,
  createTestHandler,
  createTestIssuer,
  testKenhojoIssuer,
  vrsRequestMessage,
  type TestKenhojoIssuer,
} from '../testing/requests.js';
import { cardProof, createTestJpki } from '../testing/jpki.js';
import type { CertificateIssuer } from '../certs/issuer.js';
import { JPKI_FRESHNESS_MS } from './verify.js';

const crypto = nodeCrypto;
const fixtures = loadFixtures();
const taro = fixtures.find((f) => f.id === 'taro')!;
const hanako = fixtures.find((f) => f.id === 'hanako')!;
let cardIssuer: TestKenhojoIssuer;
const box = nacl.box.keyPair();
const kioskA = keyId(generateIdentity(crypto).publicKey);
const kioskB = keyId(generateIdentity(crypto).publicKey);
const ctx = { relayId: 'test', source: '127.0.0.1' };
const T0 = Date.now();

describe('JPKI authentication at VRS (in process, J-LIS stand-in, fake clock)', () => {
  let dir: string;
  let db: Db;
  let store: ResidentStore;
  let issuer: CertificateIssuer;
  let alerts: AlertCenter;
  let raised: Alert[];
  let now = T0;
  let jpki: Awaited<ReturnType<typeof createTestJpki>>;
  let handler: RequestHandler;
  let taroCard: JpkiCardMaterial;
  let hanakoCard: JpkiCardMaterial;

  /** A VRS over the same database (a restart: its in-memory duplicate window is empty). */
  const newHandler = () =>
    createTestHandler({
      db,
      issuer,
      store,
      alerts,
      spreadThreshold: 1e6,
      crypto,
      boxSecretKey: box.secretKey,
      kenhojoIssuer: cardIssuer.verifier,
      jpki: jpki.authenticator,
      now: () => new Date(now),
    });

  beforeAll(async () => {
    cardIssuer = await testKenhojoIssuer();
    dir = mkdtempSync(join(tmpdir(), 'vrs-jpki-'));
    db = await openDb();
    store = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
    await seedStore(store, { perMunicipality: 5, seed: 'jpki', municipalities: ['131016', '271004'] });
    const log = createLogger('test', () => undefined);
    alerts = new AlertCenter({ db, log, coalesceMs: 0 });
    raised = [];
    alerts.subscribe((a) => raised.push(a));
    issuer = await createTestIssuer(db, dir);
    jpki = await createTestJpki({ db, dir, now: () => now, cardApMunicipalities: ['271004'] });
    taroCard = await jpki.jlis.cardFor(taro);
    hanakoCard = await jpki.jlis.cardFor(hanako);
    handler = await newHandler();
  }, 180_000); // RSA-2048 keys for the CA and two cards: slow on a busy machine
  afterAll(async () => {
    await alerts.flushed();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (o: { kioskId?: string; municipality?: string; auth?: ReturnType<typeof cardProof> }) =>
    vrsRequestMessage({
      vrsBoxPublicKey: box.publicKey,
      kioskId: o.kioskId ?? kioskA,
      municipality: o.municipality ?? '131016',
      ...(o.auth ? { jpki: o.auth } : { card: cardFor(hanako, cardIssuer) }),
    });

  const refusal = async (reply: Promise<VrsToRelay>, req: ReturnType<typeof ask>, kioskId = kioskA) => {
    const r = await reply;
    if (r.type !== 'vrs.response') return r.type === 'vrs.error' ? `error:${r.code}` : r.type;
    const opened = openAnswer({
      sealed: Buffer.from(r.sealed, 'base64url'),
      replyKey: { ...req.replyKey, secretKey: Uint8Array.from(req.replyKey.secretKey) }, // openAnswer wipes it
      requestId: req.requestId,
      kioskId,
      sealedRequest: req.sealed,
      crypto,
    });
    if (!opened.ok) return `open:${opened.code}`;
    return opened.answer.outcome === 'refused' ? opened.answer.code : opened.answer;
  };

  it('issues for a fresh card signature: the resident comes from the serial link, the preview from VRS', async () => {
    now = T0;
    const req = ask({ auth: cardProof(taroCard, kioskA, now - 30_000) });
    const answer = await refusal(handler.handle(req.msg, ctx), req);
    expect(answer).toMatchObject({ outcome: 'issued', person: { name: taro.name, birthDate: '1980-04-01' } });
  });

  it('the relay retrying the same sealed request gets the same answer; the same card answer in a new request is a replay', async () => {
    now = T0;
    const auth = cardProof(taroCard, kioskA, now);
    const first = ask({ auth });
    const a1 = await handler.handle(first.msg, ctx);
    expect(await handler.handle(first.msg, ctx)).toEqual(a1);
    expect(await refusal(Promise.resolve(a1), first)).toMatchObject({ outcome: 'issued' });
    raised.length = 0;
    const again = ask({ auth }); // the card's answer inside a new request from the same kiosk
    expect(await refusal(handler.handle(again.msg, ctx), again)).toBe('VRS_AUTH_REPLAYED');
    await alerts.flushed();
    expect(raised.map((a) => a.kind)).toContain('replayed-auth');
  });

  it('the card answer inside a request from another enrolled kiosk is refused: VRS_AUTH_WRONG_KIOSK and an alert', async () => {
    now = T0;
    const auth = cardProof(taroCard, kioskA, now);
    raised.length = 0;
    const stolen = ask({ kioskId: kioskB, auth });
    expect(await refusal(handler.handle(stolen.msg, ctx), stolen, kioskB)).toBe('VRS_AUTH_WRONG_KIOSK');
    await alerts.flushed();
    expect(raised.find((a) => a.kind === 'replayed-auth')?.kioskId).toBe(kioskB);
    // Claiming the card signed for kiosk B does not help: the signature was made over kiosk A.
    const relabelled = ask({ kioskId: kioskB, auth: { ...auth, kioskId: kioskB } });
    expect(await refusal(handler.handle(relabelled.msg, ctx), relabelled, kioskB)).toBe(
      'VRS_JPKI_SIGNATURE_INVALID',
    );
  });

  it('the whole sealed request replayed after the duplicate window (or a VRS restart) is stale: VRS_AUTH_STALE and an alert', async () => {
    now = T0;
    const req = ask({ auth: cardProof(taroCard, kioskA, now) });
    expect(await refusal(handler.handle(req.msg, ctx), req)).toMatchObject({ outcome: 'issued' });
    now = T0 + JPKI_FRESHNESS_MS + 1;
    const restarted = await newHandler();
    raised.length = 0;
    expect(await refusal(restarted.handle(req.msg, ctx), req)).toBe('VRS_AUTH_STALE');
    await alerts.flushed();
    expect(raised.map((a) => a.kind)).toContain('replayed-auth');
    // A signing time far in the future is refused too (a card answer made to be used later).
    now = T0;
    const future = ask({ auth: cardProof(taroCard, kioskA, now + 5 * 60_000) });
    expect(await refusal(handler.handle(future.msg, ctx), future)).toBe('VRS_AUTH_STALE');
  });

  it("a signature from one card with another card's certificate is refused (and alerts)", async () => {
    now = T0;
    raised.length = 0;
    const mixed = ask({ auth: cardProof(hanakoCard, kioskA, now, { certificate: taroCard.certificate }) });
    expect(await refusal(handler.handle(mixed.msg, ctx), mixed)).toBe('VRS_JPKI_SIGNATURE_INVALID');
    await alerts.flushed();
    expect(raised.map((a) => a.kind)).toContain('forged-card');
  });

  it('a certificate not issued by the 利用者証明用 CA, or garbage, is refused', async () => {
    now = T0;
    const other = await createTestJpki({ db, dir: join(dir, 'other'), now: () => now });
    const foreign = await other.jlis.cardFor(taro);
    const req = ask({ auth: cardProof(foreign, kioskA, now) });
    expect(await refusal(handler.handle(req.msg, ctx), req)).toBe('VRS_JPKI_SIGNATURE_INVALID');
    const junk = ask({ auth: { ...cardProof(taroCard, kioskA, now), certificate: 'AAAA' } });
    expect(await refusal(handler.handle(junk.msg, ctx), junk)).toBe('VRS_JPKI_INVALID');
  });

  it('a revoked card is refused within the CRL refresh (30 s); a reissued card works', async () => {
    now = T0;
    const before = ask({ auth: cardProof(taroCard, kioskA, now) });
    expect(await refusal(handler.handle(before.msg, ctx), before)).toMatchObject({ outcome: 'issued' });
    await jpki.jlis.revoke('taro', 'lost', new Date(now));
    now = T0 + 30_000;
    const after = ask({ auth: cardProof(taroCard, kioskA, now) });
    expect(await refusal(handler.handle(after.msg, ctx), after)).toBe('VRS_JPKI_REVOKED');
    const fresh = await jpki.jlis.reissue(taro);
    const renewed = ask({ auth: cardProof(fresh, kioskA, now) });
    expect(await refusal(handler.handle(renewed.msg, ctx), renewed)).toMatchObject({ outcome: 'issued' });
    taroCard = fresh;
  });

  it('without a current CRL nothing is accepted: VRS_JPKI_VALIDITY_UNKNOWN', async () => {
    now = T0 + 2 * 86_400_000; // the CRL published at T0 is past its nextUpdate
    jpki.validity.invalidate();
    const req = ask({ auth: cardProof(taroCard, kioskA, now) });
    expect(await refusal(handler.handle(req.msg, ctx), req)).toBe('VRS_JPKI_VALIDITY_UNKNOWN');
    await jpki.jlis.publishCrl(new Date(now));
    jpki.validity.invalidate();
    const ok = ask({ auth: cardProof(taroCard, kioskA, now) });
    expect(await refusal(handler.handle(ok.msg, ctx), ok)).toMatchObject({ outcome: 'issued' });
  });

  it('a municipality that chose カードAP takes only カードAP requests; a JPKI one only JPKI', async () => {
    now = T0 + 2 * 86_400_000;
    const viaJpki = ask({ municipality: '271004', auth: cardProof(hanakoCard, kioskA, now) });
    expect(await refusal(handler.handle(viaJpki.msg, ctx), viaJpki)).toBe('VRS_AUTH_METHOD_NOT_ALLOWED');
    const viaCard = ask({ municipality: '271004' });
    expect(await refusal(handler.handle(viaCard.msg, ctx), viaCard)).toMatchObject({
      outcome: 'issued',
      person: { name: hanako.name },
    });
    const cardAtJpki = ask({ municipality: '131016' });
    expect(await refusal(handler.handle(cardAtJpki.msg, ctx), cardAtJpki)).toBe(
      'VRS_AUTH_METHOD_NOT_ALLOWED',
    );
  });
});
