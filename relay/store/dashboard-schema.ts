/**
 * The tables and columns of the operators' dashboard: accounts, sessions and API tokens (hashes only), the
 * kiosks' place (store, municipality, prefecture) and computed status, their health history, and alerts
 * that clear themselves. Idempotent (`IF NOT EXISTS`), run by `migrate` inside its advisory lock.
 */
export const DASHBOARD_SCHEMA = `
CREATE TABLE IF NOT EXISTS relay_operators (
  name           text PRIMARY KEY,
  role           text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  password_hash  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  disabled_at    timestamptz,
  failed_logins  integer NOT NULL DEFAULT 0,
  locked_until   timestamptz
);

CREATE TABLE IF NOT EXISTS relay_operator_sessions (
  id_hash       text PRIMARY KEY,
  operator      text NOT NULL REFERENCES relay_operators(name) ON DELETE CASCADE,
  csrf          text NOT NULL,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS relay_operator_tokens (
  token_hash  text PRIMARY KEY,
  operator    text NOT NULL REFERENCES relay_operators(name) ON DELETE CASCADE,
  label       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

ALTER TABLE relay_enroll_codes ADD COLUMN IF NOT EXISTS store text;
ALTER TABLE relay_enroll_codes ADD COLUMN IF NOT EXISTS municipality text;

ALTER TABLE relay_kiosks ADD COLUMN IF NOT EXISTS store text;
ALTER TABLE relay_kiosks ADD COLUMN IF NOT EXISTS municipality text;
ALTER TABLE relay_kiosks ADD COLUMN IF NOT EXISTS prefecture text;
ALTER TABLE relay_kiosks ADD COLUMN IF NOT EXISTS device_status text NOT NULL DEFAULT 'green';
ALTER TABLE relay_kiosks ADD COLUMN IF NOT EXISTS device_issues text NOT NULL DEFAULT '';
ALTER TABLE relay_kiosks ADD COLUMN IF NOT EXISTS session_process text;
CREATE INDEX IF NOT EXISTS relay_kiosks_place ON relay_kiosks (prefecture, municipality, store);

CREATE TABLE IF NOT EXISTS relay_kiosk_health (
  kiosk_id  text NOT NULL,
  at        timestamptz NOT NULL,
  status    text NOT NULL,
  issues    text NOT NULL,
  health    jsonb
);
CREATE INDEX IF NOT EXISTS relay_kiosk_health_kiosk ON relay_kiosk_health (kiosk_id, at DESC);

ALTER TABLE relay_alerts ADD COLUMN IF NOT EXISTS cleared_at timestamptz;
ALTER TABLE relay_alerts ADD COLUMN IF NOT EXISTS acknowledged_by text;
`;
