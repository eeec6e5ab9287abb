import type { Db } from '../common/db.js';

/** One audit row: identifiers, the outcome and a keyed hash of the resident — never the My Number. */
export interface AuditEntry {
  requestId: string;
  kioskId?: string | undefined;
  municipality?: string | undefined;
  outcome: 'issued' | 'no-record' | 'refused' | 'error' | 'replayed';
  code?: string | undefined;
  /** HMAC-SHA-256 of the My Number under the municipality's index key (crypto-shredded with it). */
  residentHash?: Uint8Array | undefined;
  certificateId?: string | undefined;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO vrs_issuance (request_id, kiosk_id, municipality, outcome, code, resident_hash, certificate_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      e.requestId,
      e.kioskId ?? null,
      e.municipality ?? null,
      e.outcome,
      e.code ?? null,
      e.residentHash === undefined ? null : Buffer.from(e.residentHash),
      e.certificateId ?? null,
    ],
  );
}

/** Outcome counts over a period, optionally for some municipalities: what aggregate roles may see. */
export async function auditCounts(
  db: Db,
  municipalities?: readonly string[],
): Promise<{ municipality: string | null; outcome: string; n: number }[]> {
  const r = await db.query<{ municipality: string | null; outcome: string; n: string | number }>(
    `SELECT municipality, outcome, count(*) AS n FROM vrs_issuance
     WHERE $1::text[] IS NULL OR municipality = ANY($1::text[])
     GROUP BY municipality, outcome ORDER BY municipality, outcome`,
    [municipalities === undefined ? null : [...municipalities]],
  );
  return r.rows.map((x) => ({ municipality: x.municipality, outcome: x.outcome, n: Number(x.n) }));
}
