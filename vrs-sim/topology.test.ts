import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { openDb } from '../common/db.js';
import { createLogger } from '../common/log.js';
import { generateIdentity, toBase64Url } from '../protocol/index.js';
import { startVrs } from './start.js';
import { testKenhojoIssuer } from './testing/requests.js';
import { VrsTopologyError } from './topology.js';

const dir = mkdtempSync(join(tmpdir(), 'vrs-topology-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const issuer = testKenhojoIssuer();
const options = async () => ({
  stateDir: dir,
  relayPublicKeys: [toBase64Url(generateIdentity(nodeCrypto).publicKey)],
  kenhojoIssuerCertificate: (await issuer).certificate,
  log: createLogger('vrs', () => undefined),
});

describe('VRS topology self-check: every municipality key on record exists', { timeout: 180_000 }, () => {
  it('starts with its keys; refuses to start (alert raised) once a key file is gone; a shredded one is fine', async () => {
    const first = await startVrs({
      ...(await options()),
      seed: { perMunicipality: 2, seed: 'topology', municipalities: ['131016', '271004'] },
    });
    // Crypto-shredding one municipality is a decision, not a missing key.
    expect(first.keyStore.shred('271004')).toBe(true);
    await first.store.markShredded('271004');
    await first.stop();
    const keyFile = join(dir, 'keys', '131016.json');
    expect(existsSync(keyFile)).toBe(true);

    const again = await startVrs(await options());
    await again.stop();

    unlinkSync(keyFile);
    const err = await startVrs(await options()).then(
      async (v) => (await v.stop(), null),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(VrsTopologyError);
    expect((err as VrsTopologyError).code).toBe('VRS_TOPOLOGY_KEY_MISSING');
    expect((err as VrsTopologyError).municipalities).toEqual(['131016']);
    // No fresh key was made for it, and the alert is on record.
    expect(existsSync(keyFile)).toBe(false);
    const db = await openDb({ dataDir: join(dir, 'db') });
    try {
      const r = await db.query<{ kind: string }>(`SELECT kind FROM vrs_alert WHERE kind = 'key-missing'`);
      expect(r.rows.length).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });
});
