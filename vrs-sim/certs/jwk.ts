import { createHash } from 'node:crypto';

/** A public EC P-256 signing key as SMART Health Cards publish it (no `d`). */
export interface PublicEcJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  use: 'sig';
  alg: 'ES256';
  /** Present once the key's CRL has entries (SHC revocation). */
  crlVersion?: number;
}

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url) of an EC public key: the hash of the required members in
 * lexicographic order with no whitespace, `{"crv":…,"kty":"EC","x":…,"y":…}`. SHC requires `kid` to be it.
 */
export function ecThumbprint(jwk: { crv: string; x: string; y: string }): string {
  if (typeof jwk?.x !== 'string' || typeof jwk.y !== 'string' || typeof jwk.crv !== 'string')
    throw new TypeError('jwk: EC public key with crv, x, y expected');
  const canonical = `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * RFC 8785-style canonical JSON (what the VDS-NC signature covers): object keys sorted by UTF-16 code
 * units, no whitespace, strings and numbers as JSON.stringify writes them. Only plain JSON values.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: ${typeof value} is not JSON`);
}
