import { defineCodes } from './define.js';

const RETRY_LATER = {
  ja: '現在この証明書を発行できません。しばらくしてからもう一度お試しください。',
  en: 'The certificate cannot be issued right now. Please try again later.',
} as const;

const OUT_OF_SERVICE = {
  ja: 'この端末は現在ご利用いただけません。お手数ですが店舗スタッフにお知らせください。',
  en: 'This kiosk is out of service. Please tell a member of staff.',
} as const;

/** Codes of the relay (certificate-issuance center) on the dedicated line and the LGWAN link. */
export const RELAY_ERRORS = defineCodes({
  RELAY_UNREACHABLE: {
    meaning: 'The kiosk could not reach the relay over the dedicated line.',
    resident: RETRY_LATER,
    operator: 'The kiosk has no session with the relay: check the dedicated line and the relay processes.',
  },
  RELAY_KIOSK_UNKNOWN: {
    meaning: 'The kiosk identity key is not enrolled at the relay.',
    resident: OUT_OF_SERVICE,
    operator: 'Enroll the kiosk with a one-time code (relay:cli enroll-code) before it connects.',
  },
  RELAY_KIOSK_REVOKED: {
    meaning: 'The kiosk identity key was revoked by an operator.',
    resident: OUT_OF_SERVICE,
    operator: 'The kiosk was revoked; re-key and re-enroll it if it is trusted again.',
  },
  RELAY_BANNED: {
    meaning: 'The source address or identity is temporarily banned after suspicious activity.',
    resident: OUT_OF_SERVICE,
    operator:
      'Intrusion prevention banned the source or identity; see the alerts, lift the ban once understood.',
  },
  RELAY_ISSUANCE_STOPPED: {
    meaning: 'Issuance is stopped for this municipality or fleet-wide (kill switch).',
    resident: RETRY_LATER,
    operator: 'An operator or an automatic safety stop halted issuance; resume it from the operations API.',
  },
  RELAY_ISSUANCE_RESUMED: {
    meaning: 'Issuance resumed for this municipality or fleet-wide (a notice, not an error).',
    resident: null,
    operator: 'An operator lifted a stop.',
  },
  RELAY_VRS_UNAVAILABLE: {
    meaning: 'No VRS endpoint serving the municipality is reachable (link down or circuit open).',
    resident: RETRY_LATER,
    operator: 'The LGWAN link to VRS is down or its circuit breaker is open; check the VRS endpoints.',
  },
  RELAY_VRS_TIMEOUT: {
    meaning: 'VRS did not answer the request in time.',
    resident: RETRY_LATER,
    operator: 'VRS answered too slowly; repeated timeouts open the circuit breaker.',
  },
  RELAY_BUSY: {
    meaning: 'The relay refused the request because a queue limit was reached (backpressure).',
    resident: RETRY_LATER,
    operator: 'A kiosk exceeded its concurrent-request limit or the relay is overloaded.',
  },
  RELAY_MUNICIPALITY_UNKNOWN: {
    meaning: 'No VRS endpoint is routed for the requested municipality code.',
    resident: {
      ja: 'この市区町村の証明書はこの端末では発行できません。',
      en: 'Certificates for this municipality cannot be issued at this kiosk.',
    },
    operator: 'The routing table has no endpoint for this municipality code.',
  },
  RELAY_DUPLICATE_REQUEST: {
    meaning: 'A request id was reused while a request with the same id was in flight.',
    resident: RETRY_LATER,
    operator: 'A kiosk reused a request id; the duplicate was refused (possible replay or software fault).',
  },
  RELAY_CLUSTER_UNSYNCED: {
    meaning:
      'This relay process is not sure it has every revocation, ban and stop made on the other processes (its database subscription was lost), so it refuses new sessions and requests until it has reloaded them.',
    resident: RETRY_LATER,
    operator:
      'The relay lost its LISTEN connection to PostgreSQL or the database; it reconnects and reloads by itself. See /api/status cluster and relay_cluster_* metrics.',
  },
  RELAY_SESSION_REPLACED: {
    meaning: 'A newer session with the same kiosk identity replaced this one.',
    resident: OUT_OF_SERVICE,
    operator: 'Two connections used one kiosk identity (possible clone); an alert was raised.',
  },
  RELAY_ENROLL_CODE_INVALID: {
    meaning: 'The enrollment code is unknown, already used, or out of tries.',
    resident: null,
    operator: 'Create a new one-time enrollment code and type it carefully (8 characters, no 0/O/1/I).',
  },
  RELAY_ENROLL_CODE_EXPIRED: {
    meaning: 'The enrollment code has expired.',
    resident: null,
    operator: 'Create a new one-time enrollment code.',
  },
  RELAY_ENROLL_THROTTLED: {
    meaning: 'Too many wrong enrollment codes (from this source, for this name, or in all): try again later.',
    resident: null,
    operator:
      'Enrollment is throttled after wrong codes; an enroll-brute-force or enroll-guessing alert says from where. Retry in a few minutes.',
  },
  RELAY_ENROLL_KEY_INVALID: {
    meaning: 'The public key presented for enrollment is not a 32-byte Ed25519 key in base64url.',
    resident: null,
    operator: 'The kiosk sent a malformed public key; check its configuration.',
  },
  RELAY_KIOSK_ALREADY_ENROLLED: {
    meaning: 'The public key is already enrolled (or was revoked and cannot be enrolled again).',
    resident: null,
    operator: 'This key is already known; a revoked key must be replaced by a new one.',
  },
  RELAY_AUDIT_CHAIN_BROKEN: {
    meaning: 'The audit log hash chain does not verify (records altered, removed or reordered).',
    resident: null,
    operator: 'The audit log was tampered with; preserve the database and investigate.',
  },
  RELAY_AUDIT_UNAVAILABLE: {
    meaning: 'The audit record could not be written, so the request was not answered.',
    resident: RETRY_LATER,
    operator: 'The relay database refused an audit write; check the database.',
  },
  RELAY_DB_UNAVAILABLE: {
    meaning:
      "The relay's database is unreachable: the operations API answers what the process knows in memory and refuses every change.",
    resident: null,
    operator:
      'The dashboard shows "database unreachable"; check the database. Sessions verified in the last 10 minutes keep read-only access until it is back.',
  },
  RELAY_OPS_UNAUTHORIZED: {
    meaning: 'The operations API request carried no valid bearer token.',
    resident: null,
    operator: 'Sign in to the dashboard again, or send Authorization: Bearer <your API token>.',
  },
  RELAY_OPS_FORBIDDEN: {
    meaning: "The operator's role does not allow this operations action (viewer, operator, admin).",
    resident: null,
    operator: 'Ask an admin for a role that allows it; every refusal is visible in the relay log.',
  },
  RELAY_OPS_CSRF: {
    meaning: 'A dashboard state change came without the session CSRF token or from another origin.',
    resident: null,
    operator: 'Reload the dashboard; a request from another site was refused.',
  },
  RELAY_OPS_LOGIN_FAILED: {
    meaning: 'The operator name or password was wrong.',
    resident: null,
    operator: 'Check the name and password; repeated failures lock the account for a growing time.',
  },
  RELAY_OPS_LOCKED: {
    meaning: 'The operator account is locked after failed logins; no password is checked until it unlocks.',
    resident: null,
    operator: 'Wait for the time shown (it doubles with each further failure) or ask an admin to reset it.',
  },
  RELAY_OPS_BAD_REQUEST: {
    meaning: 'The operations API request body or parameters did not match the schema.',
    resident: null,
    operator: 'Fix the request; the response names the offending field.',
  },
  RELAY_OPS_NOT_FOUND: {
    meaning: 'The operations API resource does not exist.',
    resident: null,
    operator: 'Check the kiosk id, alert id or route.',
  },
  RELAY_CONFIG_INVALID: {
    meaning:
      'The relay configuration (RELAY_CONFIG file or a JSON environment variable) cannot be read or parsed.',
    resident: null,
    operator: 'The relay refused to start: fix the file or variable named in the message (YAML/JSON syntax).',
  },
  RELAY_INTERNAL: {
    meaning: 'An unexpected relay fault.',
    resident: RETRY_LATER,
    operator: 'An unexpected fault; see the relay log for the event and request id.',
  },
});
