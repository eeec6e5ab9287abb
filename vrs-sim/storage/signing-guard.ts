import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../common/db.js';
import { VrsStoreError } from './store.js';

/**
 * The signing keys are made on first start, and never again once certificates exist: a missing
 * `signing/shc-keys.json` (or `vdsnc/` signer) while `vrs_certificate` holds rows would otherwise be replaced
 * by a fresh key, silently dropping the old public key from the JWKS (or the old CSCA) so that every
 * certificate already printed stops verifying. Refused with `VRS_SIGNING_KEY_MISSING`: restore the files.
 */
export async function checkSigningKeysPresent(db: Db, stateDir: string): Promise<void> {
  const missing = [
    existsSync(join(stateDir, 'signing', 'shc-keys.json')) ? undefined : 'signing/shc-keys.json',
    existsSync(join(stateDir, 'vdsnc', 'signer.key')) ? undefined : 'vdsnc/signer.key',
  ].filter((x) => x !== undefined);
  if (missing.length === 0) return;
  const issued = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'vrs_certificate'");
  if (issued.rows.length === 0) return;
  const any = await db.query('SELECT 1 FROM vrs_certificate LIMIT 1');
  if (any.rows.length === 0) return;
  throw new VrsStoreError(
    'VRS_SIGNING_KEY_MISSING',
    `certificates were issued but ${missing.join(' and ')} is missing: no new signing key is made (it would ` +
      'invalidate every printed certificate); restore the files from their backup',
  );
}
