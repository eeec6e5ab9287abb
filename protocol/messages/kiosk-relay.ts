import { z } from 'zod';
import { certType, errorCode, health, municipalityCode, requestId, sealed, version } from './common.js';

/** Kiosk → relay, inside the channel on the dedicated line. */
export const KioskToRelay = z.discriminatedUnion('type', [
  /** A certificate request, sealed end to end to VRS; the relay sees only the routing fields. */
  z.object({
    v: version,
    type: z.literal('issue.request'),
    requestId,
    municipality: municipalityCode,
    certType,
    sealed,
  }),
  /** What became of an answered request (no personal data): for the audit trail and the kill switch. */
  z.object({
    v: version,
    type: z.literal('issue.outcome'),
    requestId,
    outcome: z.enum([
      'printed',
      'cancelled',
      'refunded',
      'print-failed',
      'binding-mismatch',
      'no-record',
      'refused',
    ]),
    code: errorCode.optional(),
  }),
  z.object({ v: version, type: z.literal('heartbeat'), seq: z.number().int().nonnegative(), health }),
  z.object({ v: version, type: z.literal('municipalities.request'), requestId }),
]);
export type KioskToRelay = z.infer<typeof KioskToRelay>;

/** Relay → kiosk. */
export const RelayToKiosk = z.discriminatedUnion('type', [
  z.object({ v: version, type: z.literal('issue.response'), requestId, sealed }),
  z.object({ v: version, type: z.literal('issue.error'), requestId, code: errorCode }),
  /** The outcome of this request is in the audit log: the kiosk stops resending it. */
  z.object({ v: version, type: z.literal('issue.outcome.ack'), requestId }),
  z.object({
    v: version,
    type: z.literal('heartbeat.ack'),
    seq: z.number().int().nonnegative(),
    serverTime: z.number().int(),
  }),
  z.object({
    v: version,
    type: z.literal('municipalities.response'),
    requestId,
    /** The codes served (names, readings and English names are public data in `protocol/municipalities`). */
    list: z.array(municipalityCode).max(2000),
  }),
  /** Fleet notices: issuance stopped or resumed (per municipality or fleet-wide), session replaced, revoked. */
  z.object({
    v: version,
    type: z.literal('notice'),
    code: errorCode,
    municipality: municipalityCode.optional(),
  }),
]);
export type RelayToKiosk = z.infer<typeof RelayToKiosk>;
