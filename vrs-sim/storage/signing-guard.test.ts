import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../common/db.js';
import { migrate } from './schema.js';
import { checkSigningKeysPresent } from './signing-guard.js';

describe('signing keys are never silently remade once certificates exist', () => {
  let db: Db;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vrs-signing-guard-'));
    db = await openDb();
    await migrate(db);
  }, 120_000);
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a fresh stand-in make its keys, and refuses (coded) when issued certificates lost theirs', async () => {
    await expect(checkSigningKeysPresent(db, dir)).resolves.toBeUndefined();
    await db.query(
      `INSERT INTO vrs_certificate (certificate_id, rid, kid, municipality, cert_type)
       VALUES ('JP131016-20240101-AAAAAAAAAAAA', 'rid', 'kid', '131016', 'domestic')`,
    );
    await expect(checkSigningKeysPresent(db, dir)).rejects.toMatchObject({ code: 'VRS_SIGNING_KEY_MISSING' });
    mkdirSync(join(dir, 'signing'));
    writeFileSync(join(dir, 'signing', 'shc-keys.json'), '{}');
    await expect(checkSigningKeysPresent(db, dir)).rejects.toThrow(/vdsnc\/signer\.key/);
    mkdirSync(join(dir, 'vdsnc'));
    writeFileSync(join(dir, 'vdsnc', 'signer.key'), 'x');
    await expect(checkSigningKeysPresent(db, dir)).resolves.toBeUndefined();
  });
});
