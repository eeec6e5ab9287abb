import { z } from 'zod';
import { canonicalRecord, chainHash, GENESIS_HASH, type AuditVerification } from './store/audit.js';

const Line = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  kind: z.string(),
  requestId: z.string().nullable(),
  kioskId: z.string().nullable(),
  municipality: z.string().nullable(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  prevHash: z.string(),
  hash: z.string(),
});
// `.strict()`: a line carrying a field the relay never writes is not the relay's record, even when the hashed
// fields still match (found by the verify-file fuzz target).
const StrictLine = Line.strict();

/**
 * Verifies an exported audit log (NDJSON from `/api/audit/export`) offline: sequence, links and every hash.
 * `expectedHead`, when given (e.g. read from the live relay), also proves nothing was cut off the end.
 */
export function verifyExport(ndjson: string, expectedHead?: string): AuditVerification {
  let prev = GENESIS_HASH;
  let seq = 0;
  for (const text of ndjson.split('\n')) {
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, code: 'RELAY_AUDIT_CHAIN_BROKEN', seq: seq + 1 };
    }
    const r = StrictLine.safeParse(raw);
    if (!r.success) return { ok: false, code: 'RELAY_AUDIT_CHAIN_BROKEN', seq: seq + 1 };
    const { prevHash, hash, ...rest } = r.data;
    seq++;
    if (rest.seq !== seq || prevHash !== prev || chainHash(prev, canonicalRecord(rest)) !== hash) {
      return { ok: false, code: 'RELAY_AUDIT_CHAIN_BROKEN', seq };
    }
    prev = hash;
  }
  if (expectedHead !== undefined && expectedHead !== prev)
    return { ok: false, code: 'RELAY_AUDIT_CHAIN_BROKEN', seq: seq + 1 };
  return { ok: true, count: seq, head: prev };
}
