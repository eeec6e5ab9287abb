import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../common/db.js';
import { parseRole, roleName, type Role } from './service.js';

/**
 * Role credentials for the command line. A role is never taken from an argument: an administrator (whoever
 * holds the stand-in's state and database) issues a credential for one role with `credential issue`, which
 * writes a token file (0600) for its holder; the database keeps only the token's SHA-256 and the role. A
 * command then acts as the role the database says the presented token was issued for, until revoked.
 */
export const CREDENTIALS_SQL = `
CREATE TABLE IF NOT EXISTS vrs_credential (
  id text PRIMARY KEY,
  role text NOT NULL,
  token_hash bytea NOT NULL CHECK (octet_length(token_hash) = 32),
  issued_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE TABLE IF NOT EXISTS vrs_access (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  credential_id text NOT NULL,
  role text NOT NULL,
  action text NOT NULL,
  municipality text
);
`;

/** The token file a holder keeps (0600). `role` is for people; the database's record is what counts. */
export const CredentialFileSchema = z.object({
  v: z.literal(1),
  kind: z.literal('vrs-role-credential'),
  id: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  role: z.string().max(40),
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type CredentialFile = z.infer<typeof CredentialFileSchema>;

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export async function migrateCredentials(db: Db): Promise<void> {
  await db.exec(CREDENTIALS_SQL);
}

/** Issues a credential for `role`; returns the token file's content (the token is not stored). */
export async function issueCredential(db: Db, role: Role): Promise<CredentialFile> {
  await migrateCredentials(db);
  const file: CredentialFile = {
    v: 1,
    kind: 'vrs-role-credential',
    id: randomBytes(12).toString('base64url'),
    role: roleName(role),
    token: randomBytes(32).toString('base64url'),
  };
  await db.query('INSERT INTO vrs_credential (id, role, token_hash) VALUES ($1, $2, $3)', [
    file.id,
    file.role,
    hash(file.token),
  ]);
  return file;
}

export async function revokeCredential(db: Db, id: string): Promise<boolean> {
  await migrateCredentials(db);
  const r = await db.query(
    'UPDATE vrs_credential SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
    [id],
  );
  return r.affectedRows > 0;
}

export async function listCredentials(
  db: Db,
): Promise<{ id: string; role: string; issuedAt: string; revoked: boolean }[]> {
  await migrateCredentials(db);
  const r = await db.query<{ id: string; role: string; issued_at: Date | string; revoked: boolean }>(
    'SELECT id, role, issued_at, revoked_at IS NOT NULL AS revoked FROM vrs_credential ORDER BY issued_at',
  );
  return r.rows.map((x) => ({
    id: x.id,
    role: x.role,
    issuedAt: new Date(x.issued_at).toISOString(),
    revoked: x.revoked,
  }));
}

/**
 * The role a presented token file (its text, from `unknown`) grants: `VRS_CREDENTIAL_INVALID` for anything
 * malformed, unknown, revoked or not matching (compared in constant time).
 */
export async function resolveCredential(
  db: Db,
  text: unknown,
): Promise<{ ok: true; id: string; role: Role } | { ok: false; code: 'VRS_CREDENTIAL_INVALID' }> {
  const invalid = { ok: false, code: 'VRS_CREDENTIAL_INVALID' } as const;
  if (typeof text !== 'string' || text.length > 1000) return invalid;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return invalid;
  }
  const parsed = CredentialFileSchema.safeParse(raw);
  if (!parsed.success) return invalid;
  await migrateCredentials(db);
  const r = await db.query<{ role: string; token_hash: Uint8Array; revoked: boolean }>(
    'SELECT role, token_hash, revoked_at IS NOT NULL AS revoked FROM vrs_credential WHERE id = $1',
    [parsed.data.id],
  );
  const row = r.rows[0];
  if (row === undefined || row.revoked) return invalid;
  const stored = Buffer.from(row.token_hash);
  if (stored.length !== 32 || !timingSafeEqual(stored, hash(parsed.data.token))) return invalid;
  try {
    return { ok: true, id: parsed.data.id, role: parseRole(row.role) };
  } catch {
    return invalid;
  }
}

/** Records that a credential was used (who, as what, for what; never the resident). */
export async function recordAccess(
  db: Db,
  e: { credentialId: string; role: Role; action: string; municipality?: string },
): Promise<void> {
  await db.query(
    'INSERT INTO vrs_access (credential_id, role, action, municipality) VALUES ($1, $2, $3, $4)',
    [e.credentialId, roleName(e.role), e.action, e.municipality ?? null],
  );
}
