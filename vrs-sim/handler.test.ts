import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { openDb, type Db } from '../common/db.js';
import { createLogger } from '../common/log.js';
import { sealTo } from '../protocol/envelope/box.js';
import {
  fromBase64Url,
  generateIdentity,
  keyId,
  newRequestId,
  openAnswer,
  type VrsToRelay,
} from '../protocol/index.js';
import { AlertCenter } from './alerts.js';
import { basic4Mismatch } from './answer.js';
import type { RequestHandler } from './handler.js';
import { loadFixtures } from './seed/fixtures.js';
import { seedStore } from './seed/seed.js';
import { KeyStore } from './storage/keystore.js';
import { ResidentStore } from './storage/store.js';
import {
  cardFilesFor,
  cardFor,
  testKenhojoIssuer,
  type TestKenhojoIssuer,
  createTestHandler,
  encodeCard,
  relayRequest,
  sealTestRequest,
  vrsRequestMessage,
} from './testing/requests.js';

const crypto = nodeCrypto;
const taro = loadFixtures().find((f) => f.id === 'taro');
let cardIssuer: TestKenhojoIssuer;
const box = nacl.box.keyPair();
const kiosk = generateIdentity(crypto);
const kid = keyId(kiosk.publicKey);
const ctx = { relayId: 'test', source: '127.0.0.1' };

describe('request handler (in process)', () => {
  let dir: string;
  let db: Db;
  let handler: RequestHandler;
  let alerts: AlertCenter;

  beforeAll(async () => {
    cardIssuer = await testKenhojoIssuer();
    dir = mkdtempSync(join(tmpdir(), 'vrs-handler-'));
    db = await openDb();
    const store = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
    await seedStore(store, { perMunicipality: 10, seed: 'handler', municipalities: ['131016'] });
    const log = createLogger('test', () => undefined);
    alerts = new AlertCenter({ db, log, coalesceMs: 0 });
    handler = await createTestHandler({
      db,
      dir,
      store,
      alerts,
      log,
      spreadThreshold: 1e6,
      crypto,
      boxSecretKey: box.secretKey,
      kenhojoIssuer: cardIssuer.verifier,
    });
  });
  afterAll(async () => {
    await alerts.flushed();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (sealed: Uint8Array, requestId = newRequestId(crypto)): Promise<VrsToRelay> =>
    handler.handle(relayRequest({ requestId, kioskId: kid, municipality: '131016', sealed }), ctx);

  it('answers garbage inside a valid envelope with PROTOCOL_MALFORMED, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), async (bytes) => {
        const reply = await send(sealTo(crypto, box.publicKey, bytes));
        return (
          reply.type === 'vrs.error' &&
          ['PROTOCOL_MALFORMED', 'PROTOCOL_UNSUPPORTED_VERSION'].includes(reply.code)
        );
      }),
      { numRuns: 40 },
    );
  });

  it('never issues for mangled card files: refused with a card code', async () => {
    if (!taro) throw new Error('fixture expected');
    const files = cardFilesFor(taro, cardIssuer);
    // EF 00 04 is carried but trusted for nothing (the issuer's certificate is VRS's own): only 00 01–00 03.
    const names = ['myNumberEf', 'basic4Ef', 'signatureEf', 'certificateEf'] as const;
    const signed = ['myNumberEf', 'basic4Ef', 'signatureEf'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...signed),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (which, pos, x) => {
          const card = Object.fromEntries(names.map((n) => [n, Uint8Array.from(files[n])])) as Record<
            (typeof names)[number],
            Uint8Array
          >;
          const ef = card[which];
          ef[pos % ef.length] = (ef[pos % ef.length] ?? 0) ^ x;
          const { sealed, replyKey, requestId } = sealTestRequest({
            vrsBoxPublicKey: box.publicKey,
            kioskId: kid,
            municipality: '131016',
            card: encodeCard(card),
            crypto,
          });
          const reply = await send(sealed, requestId);
          if (reply.type !== 'vrs.response') return false;
          const opened = openAnswer({
            sealed: fromBase64Url(reply.sealed) as Uint8Array,
            replyKey,
            requestId,
            kioskId: kid,
            sealedRequest: sealed,
            crypto,
          });
          return (
            opened.ok &&
            opened.answer.outcome === 'refused' &&
            ['VRS_CARD_FORGED', 'VRS_CARD_INVALID'].includes(opened.answer.code)
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('answers VRS_UNAVAILABLE when storage fails, and serves the retry of the same request once it is back', async () => {
    if (!taro) throw new Error('fixture expected');
    let down = true;
    const flaky: Db = {
      ...db,
      query: (async (sql: string, params?: readonly unknown[]) => {
        if (down) throw new Error('connection lost');
        return db.query(sql, params);
      }) as Db['query'],
    };
    const store = await ResidentStore.open(db, new KeyStore(join(dir, 'keys')));
    // The handler's own queries fail while `down`; the issuer and the alerts keep the working database.
    const h = await createTestHandler({
      db,
      handlerDb: flaky,
      dir,
      store,
      crypto,
      boxSecretKey: box.secretKey,
      kenhojoIssuer: cardIssuer.verifier,
    });
    const { msg, requestId } = vrsRequestMessage({
      vrsBoxPublicKey: box.publicKey,
      kioskId: kid,
      municipality: '131016',
      card: cardFor(taro, cardIssuer),
      crypto,
    });
    expect(await h.handle(msg, ctx)).toMatchObject({ type: 'vrs.error', code: 'VRS_UNAVAILABLE' });
    down = false;
    expect(await h.handle(msg, ctx)).toMatchObject({ type: 'vrs.response', requestId });
  });

  it('compares basic 4 information insensitive to width and spacing, and names only the differing fields', () => {
    if (!taro) throw new Error('fixture expected');
    expect(taro.address).toContain('2');
    const record = {
      v: 1 as const,
      myNumber: taro.myNumber,
      name: taro.name,
      nameKana: taro.nameKana,
      nameRomaji: taro.nameRomaji,
      birthDate: taro.birthDate,
      sex: taro.sex,
      address: taro.address,
      doses: [],
    };
    expect(
      basic4Mismatch(
        {
          name: taro.name.replace(' ', '\u3000'),
          address: taro.address.replace('2', '２'),
          birthDate: taro.birthDate,
          sex: taro.sex,
        },
        record,
      ),
    ).toEqual([]);
    expect(
      basic4Mismatch({ name: '別人 名前', address: taro.address, birthDate: '19990101', sex: '2' }, record),
    ).toEqual(['name', 'birthDate', 'sex']);
  });
});
