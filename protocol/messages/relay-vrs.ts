import { z } from 'zod';
import { text } from './text.js';
import { errorCode, kioskId, municipalityCode, requestId, sealed, version } from './common.js';

/** Relay → VRS, inside the channel on the LGWAN link. */
export const RelayToVrs = z.discriminatedUnion('type', [
  /**
   * A kiosk's sealed request, with the routing data the relay saw. VRS checks that `kioskId` is the one
   * sealed inside the request: a mismatch means misrouting and is refused.
   */
  z.object({
    v: version,
    type: z.literal('vrs.request'),
    requestId,
    kioskId,
    municipality: municipalityCode,
    sealed,
  }),
  z.object({ v: version, type: z.literal('vrs.municipalities.request'), requestId }),
]);
export type RelayToVrs = z.infer<typeof RelayToVrs>;

export const alertSeverity = z.enum(['info', 'warning', 'critical']);

/** VRS → relay. */
export const VrsToRelay = z.discriminatedUnion('type', [
  /** The answer, sealed to the kiosk's one-time reply key; the relay cannot read it. */
  z.object({ v: version, type: z.literal('vrs.response'), requestId, sealed }),
  /** VRS could not produce a sealed answer (the envelope did not open, overload, …). */
  z.object({ v: version, type: z.literal('vrs.error'), requestId, code: errorCode }),
  z.object({
    v: version,
    type: z.literal('vrs.municipalities.response'),
    requestId,
    /** The codes served (names, readings and English names are public data in `protocol/municipalities`). */
    list: z.array(municipalityCode).max(2000),
  }),
  /** Intrusion detection at VRS, forwarded to the relay's dashboard. No personal data. */
  z.object({
    v: version,
    type: z.literal('vrs.alert'),
    alertId: text(64, 1),
    kind: text(64, 1),
    severity: alertSeverity,
    kioskId: kioskId.optional(),
    detail: text(500),
    at: z.number().int(),
  }),
]);
export type VrsToRelay = z.infer<typeof VrsToRelay>;
