import { sign } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { PRODUCTS } from '../products.js';
import type { ResidentRecord } from '../record.js';
import type { ActiveSigningKey } from './signing-keys.js';

/** The performer every Japanese certificate names (as decoded from real cards, docs/reference.md §2.2). */
export const JAPAN_PERFORMER = 'MHLW_Gov_of_JAPAN';

/**
 * The QR error-correction level this stand-in guarantees for the printed SMART Health Card: every JWS it
 * signs fits one version-22 QR at level L (≤ 1195 characters, the SHC spec's single-QR limit). The kiosk
 * prints at the highest level that fits (H, Q, M, L): measured with the seed, a typical card (≈ 860
 * characters) fits M; seven doses with the longest test name needs L. Level L still corrects ~7 % damage
 * and the code is printed 40 mm wide on flat A4, where the SHC spec itself allows L.
 */
export const SHC_QR_LEVEL = 'L';
export const SHC_MAX_JWS_CHARS = { L: 1195, M: 927, Q: 670, H: 519 } as const;

export interface ShcInput {
  /** `https://…/issuer`, no trailing slash. */
  iss: string;
  record: ResidentRecord;
  certType: 'domestic' | 'overseas';
  /** Revocation id (≤ 24 base64url characters). */
  rid: string;
  /** Seconds since the epoch. */
  nbf: number;
  /** Overseas only: false leaves the romaji name to the VDS-NC (used when the card would not fit). */
  withRomaji?: boolean;
}

const isoBirth = (yyyymmdd: string) =>
  `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;

/** Splits "FAMILY GIVEN" (or 「姓 名」) at the first space; a name with no space is all family name. */
export function splitName(full: string): { family: string; given: string[] } {
  const trimmed = full.trim();
  const at = trimmed.search(/[ \u3000]/);
  if (at < 0) return { family: trimmed, given: [] };
  return { family: trimmed.slice(0, at), given: [trimmed.slice(at + 1).trim()].filter((g) => g !== '') };
}

/**
 * The FHIR Bundle of a certificate, in SHC's QR-minimised form (no ids, meta, text or displays;
 * `fullUrl: resource:N`, no `use` on names: bytes count in the QR). Patient name: the name as on the card;
 * the overseas version adds the romaji name as a second entry (docs/reference.md §2.2 leaves the exact overseas
 * shape unconfirmed) unless `withRomaji` is false (see `signShc`).
 */
export function fhirBundle(
  record: ResidentRecord,
  certType: 'domestic' | 'overseas',
  withRomaji = true,
): Record<string, unknown> {
  const names = [splitName(record.name)];
  if (certType === 'overseas' && withRomaji) names.push(splitName(record.nameRomaji));
  const entry: Record<string, unknown>[] = [
    {
      fullUrl: 'resource:0',
      resource: { resourceType: 'Patient', name: names, birthDate: isoBirth(record.birthDate) },
    },
  ];
  for (const [i, d] of record.doses.entries())
    entry.push({
      fullUrl: `resource:${i + 1}`,
      resource: {
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: PRODUCTS[d.product].cvx }] },
        patient: { reference: 'resource:0' },
        occurrenceDateTime: d.date,
        lotNumber: d.lot,
        performer: [{ actor: { display: JAPAN_PERFORMER } }],
      },
    });
  return { resourceType: 'Bundle', type: 'collection', entry };
}

/** The JWS payload (before compression). */
export function shcPayload(input: ShcInput): Record<string, unknown> {
  if (!/^https:\/\/.+[^/]$/.test(input.iss))
    throw new TypeError('iss: https URL without trailing slash expected');
  if (!/^[A-Za-z0-9_-]{1,24}$/.test(input.rid))
    throw new TypeError('rid: ≤ 24 base64url characters expected');
  return {
    iss: input.iss,
    nbf: input.nbf,
    vc: {
      // Only the required type, as in Japan's observed cards (docs/reference.md §2.2): every byte counts in the QR.
      type: ['https://smarthealth.cards#health-card'],
      credentialSubject: {
        fhirVersion: '4.0.1',
        fhirBundle: fhirBundle(input.record, input.certType, input.withRomaji ?? true),
      },
      rid: input.rid,
    },
  };
}

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/**
 * Signs a SMART Health Card: compact JWS, header `{"alg":"ES256","zip":"DEF","kid":…}`, payload minified
 * JSON compressed with raw DEFLATE (RFC 1951), ES256 signature as r‖s (JWS form, not DER).
 */
export function signShc(input: ShcInput, key: ActiveSigningKey): string {
  const header = b64u(JSON.stringify({ zip: 'DEF', alg: 'ES256', kid: key.kid }));
  const body = b64u(
    deflateRawSync(Buffer.from(JSON.stringify(shcPayload(input))), { level: 9, memLevel: 9 }),
  );
  const signingInput = `${header}.${body}`;
  const sig = sign('sha256', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${sig.toString('base64url')}`;
}
