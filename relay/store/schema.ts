import { createHash } from 'node:crypto';
import type { Db } from '../../common/db.js';
import { DASHBOARD_SCHEMA } from './dashboard-schema.js';

/**
 * The relay's tables. Nothing here holds personal data: kiosks are known by their public key, requests by
 * their random id, and the audit log records routing data only (request id, kiosk id, municipality, sizes).
 *
 * Idempotent (`IF NOT EXISTS`, `CREATE OR REPLACE`), so several relay processes sharing one PostgreSQL may
 * all run it at start; a transaction-level advisory lock keeps concurrent runs from racing.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS relay_kiosks (
  kiosk_id       text PRIMARY KEY,
  name           text,
  enrolled_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz,
  revoked_reason text,
  last_seen_at   timestamptz,
  last_health    jsonb
);

CREATE TABLE IF NOT EXISTS relay_enroll_codes (
  code_hash   text PRIMARY KEY,
  name        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  tries_left  integer NOT NULL,
  used_at     timestamptz,
  kiosk_id    text
);

CREATE TABLE IF NOT EXISTS relay_alerts (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  kind         text NOT NULL,
  severity     text NOT NULL,
  source       text,
  kiosk_id     text,
  detail       jsonb NOT NULL DEFAULT '{}'::jsonb,
  acknowledged_at timestamptz
);

CREATE TABLE IF NOT EXISTS relay_bans (
  scope    text NOT NULL,
  subject  text NOT NULL,
  until    timestamptz NOT NULL,
  reason   text NOT NULL,
  PRIMARY KEY (scope, subject)
);

CREATE TABLE IF NOT EXISTS relay_stops (
  scope      text PRIMARY KEY,
  reason     text NOT NULL,
  stopped_at timestamptz NOT NULL DEFAULT now(),
  stopped_by text NOT NULL
);

CREATE TABLE IF NOT EXISTS relay_audit (
  seq          bigint PRIMARY KEY,
  at           timestamptz NOT NULL,
  kind         text NOT NULL,
  request_id   text,
  kiosk_id     text,
  municipality text,
  detail       jsonb NOT NULL,
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);

-- A kiosk's resent outcome is matched to the answer another process (or this one before a restart) gave.
CREATE INDEX IF NOT EXISTS relay_audit_request ON relay_audit (request_id) WHERE request_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS relay_audit_head (
  id   integer PRIMARY KEY CHECK (id = 1),
  seq  bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO relay_audit_head (id, seq, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')
  ON CONFLICT (id) DO NOTHING;

CREATE OR REPLACE FUNCTION relay_audit_refuse() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'relay_audit is insert-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS relay_audit_no_change ON relay_audit;
CREATE TRIGGER relay_audit_no_change BEFORE UPDATE OR DELETE ON relay_audit
  FOR EACH ROW EXECUTE FUNCTION relay_audit_refuse();
DROP TRIGGER IF EXISTS relay_audit_no_truncate ON relay_audit;
CREATE TRIGGER relay_audit_no_truncate BEFORE TRUNCATE ON relay_audit
  FOR EACH STATEMENT EXECUTE FUNCTION relay_audit_refuse();
`;

/**
 * The schema's version: a hash of its text, so any change to a table, trigger or function is a new
 * version. Relays of a cluster compare it at start (relay/topology.ts) and refuse to mix versions.
 */
export function schemaVersion(): string {
  return createHash('sha256').update(SCHEMA).update(DASHBOARD_SCHEMA).digest('hex').slice(0, 16);
}

/** Creates or updates the relay's tables. */
export async function migrate(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727006)');
    await tx.exec(SCHEMA);
    await tx.exec(DASHBOARD_SCHEMA);
  });
}
