import type { DbTx } from '../../common/db.js';
import { canonicalRecord, chainHash, checkAuditInput, type AuditEntry, type AuditInput } from './audit.js';

/**
 * Appends audit records inside the caller's transaction, so an operator action and its record commit
 * together or not at all. The chain head is locked `FOR UPDATE` for the rest of the transaction; the group
 * committer of `AuditLog` (which caches the head) sees the moved head as a primary-key conflict and
 * re-reads it, exactly as when another relay process appended.
 */
export async function appendInTx(tx: DbTx, inputs: AuditInput[], now = new Date()): Promise<AuditEntry[]> {
  for (const input of inputs) checkAuditInput(input); // a record the database would refuse fails here
  const h = await tx.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM relay_audit_head WHERE id = 1 FOR UPDATE',
  );
  const head = h.rows[0];
  if (head === undefined) throw new Error('audit head missing (schema not migrated)');
  let seq = Number(head.seq);
  let prev = head.hash;
  const at = now.toISOString();
  const entries: AuditEntry[] = [];
  for (const input of inputs) {
    seq++;
    const base = {
      seq,
      at,
      kind: input.kind,
      requestId: input.requestId ?? null,
      kioskId: input.kioskId ?? null,
      municipality: input.municipality ?? null,
      detail: input.detail ?? {},
    };
    const hash = chainHash(prev, canonicalRecord(base));
    entries.push({ ...base, prevHash: prev, hash });
    prev = hash;
  }
  const rows = entries.map((e) => ({
    seq: e.seq,
    at: e.at,
    kind: e.kind,
    request_id: e.requestId,
    kiosk_id: e.kioskId,
    municipality: e.municipality,
    detail: e.detail,
    prev_hash: e.prevHash,
    hash: e.hash,
  }));
  await tx.query(
    'INSERT INTO relay_audit SELECT * FROM jsonb_populate_recordset(NULL::relay_audit, $1::jsonb)',
    [JSON.stringify(rows)],
  );
  await tx.query('UPDATE relay_audit_head SET seq = $1, hash = $2 WHERE id = 1', [seq, prev]);
  return entries;
}
