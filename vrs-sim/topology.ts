import type { Db } from '../common/db.js';
import { CodedError } from '../protocol/errors/index.js';
import type { ResidentStore } from './storage/store.js';

/**
 * VRS's topology self-check at start: every municipality that has a key on record (its check value in
 * `vrs_municipality.key_check`) and is not crypto-shredded must have its key file, and that file must be the
 * key on record. Each municipality that fails raises the key store's alert (`key-missing` or `key-mismatch`,
 * critical); the start is refused with VRS_TOPOLOGY_KEY_MISSING naming the codes (municipality codes are
 * public identifiers, not personal data).
 */
export class VrsTopologyError extends CodedError<'VRS_TOPOLOGY_KEY_MISSING'> {
  readonly municipalities: readonly string[];
  constructor(municipalities: readonly string[]) {
    super(
      'VRS_TOPOLOGY_KEY_MISSING',
      `${municipalities.length} municipality key(s) missing or not the key on record: ${municipalities.slice(0, 20).join(', ')}${municipalities.length > 20 ? ', …' : ''}`,
    );
    this.name = 'VrsTopologyError';
    this.municipalities = municipalities;
  }
}

/** The codes of municipalities whose key is missing or wrong (sorted); empty when all are in place. */
export async function missingMunicipalityKeys(db: Db, store: ResidentStore): Promise<string[]> {
  const r = await db.query<{ code: string }>(
    'SELECT code FROM vrs_municipality WHERE shredded_at IS NULL AND key_check IS NOT NULL ORDER BY code',
  );
  const missing: string[] = [];
  for (const { code } of r.rows) {
    if (store.isShredded(code)) continue;
    const k = await store.keysFor(code, false);
    if (!k.ok && k.code === 'VRS_KEY_UNAVAILABLE') missing.push(code);
  }
  return missing;
}
