import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { setLogSink } from '../common/log.js';
import {
  createTestDatabase,
  postgresUnavailableReason,
  startTestPostgres,
  type TestPostgres,
} from '../common/testing/postgres.js';
import { fromBase64Url, generateIdentity, keyId, openAnswer } from '../protocol/index.js';
import { loadFixtures } from './seed/fixtures.js';
import { startVrs, type RunningVrs } from './start.js';
import { connectTestRelay } from './testing/relay-client.js';
import { cardFor, testKenhojoIssuer, vrsRequestMessage, type TestKenhojoIssuer } from './testing/requests.js';

const skip = postgresUnavailableReason();
const crypto = nodeCrypto;

describe.skipIf(skip !== undefined)(`VRS on a PostgreSQL server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: TestPostgres;
  let dir: string;
  let vrs: RunningVrs;
  let cardIssuer: TestKenhojoIssuer;
  const relay = generateIdentity(crypto);

  beforeAll(async () => {
    cardIssuer = await testKenhojoIssuer();
    setLogSink(() => undefined);
    server = await startTestPostgres();
    const url = await createTestDatabase(server.url, 'vrs_e2e_test');
    dir = mkdtempSync(join(tmpdir(), 'vrs-pg-'));
    vrs = await startVrs({
      stateDir: dir,
      dbUrl: url,
      relayPublicKeys: [relay.publicKey],
      kenhojoIssuerCertificate: cardIssuer.certificate,
      seed: { perMunicipality: 20, seed: 'pg', municipalities: ['131016'] },
    });
  });
  afterAll(async () => {
    await vrs?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues over the channel, audits, and revokes with the same SQL as PGlite', async () => {
    expect(vrs.db.kind).toBe('postgres');
    const taro = loadFixtures().find((f) => f.id === 'taro');
    if (!taro) throw new Error('fixture expected');
    const client = await connectTestRelay({
      url: vrs.info.lgwan,
      identity: relay,
      vrsPublicKey: fromBase64Url(vrs.info.identityPublicKey) as Uint8Array,
      crypto,
    });
    try {
      const kiosk = generateIdentity(crypto);
      const { msg, sealed, replyKey, requestId } = vrsRequestMessage({
        vrsBoxPublicKey: fromBase64Url(vrs.info.boxPublicKey) as Uint8Array,
        kioskId: keyId(kiosk.publicKey),
        municipality: '131016',
        card: cardFor(taro, cardIssuer),
        crypto,
      });
      client.send(msg);
      const reply = await client.next((m) => 'requestId' in m && m.requestId === requestId);
      if (reply.type !== 'vrs.response') throw new Error(`response expected, got ${reply.type}`);
      const opened = openAnswer({
        sealed: fromBase64Url(reply.sealed) as Uint8Array,
        replyKey,
        requestId,
        kioskId: keyId(kiosk.publicKey),
        sealedRequest: sealed,
        crypto,
      });
      if (!opened.ok || opened.answer.outcome !== 'issued') throw new Error('issued expected');
      const audit = await vrs.db.query<{ outcome: string }>(
        'SELECT outcome FROM vrs_issuance WHERE request_id = $1',
        [requestId],
      );
      expect(audit.rows).toEqual([{ outcome: 'issued' }]);
      expect(await vrs.issuer.revoke(opened.answer.certificateId)).toBe(true);
      const crl = await vrs.issuer.crl(vrs.signingKeys.activeKid);
      expect(crl?.ctr).toBe(1);
      const counts = await vrs.service.as({ kind: 'national' }).counts();
      expect(counts.find((c) => c.municipality === '131016')?.residents).toBe(21);
    } finally {
      client.close();
    }
  });
});
