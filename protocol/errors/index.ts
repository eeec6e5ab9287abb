import type { ErrorCodeInfo } from './define.js';
import { PROTOCOL_ERRORS } from './protocol.js';
import { CARD_ERRORS } from './card.js';
import { RELAY_ERRORS } from './relay.js';
import { DEVICE_ERRORS } from './devices.js';
import { KIOSK_ERRORS } from './kiosk.js';
import { MONEY_ERRORS } from './money.js';
import { VRS_ERRORS } from './vrs.js';
import { JPKI_ERRORS } from './jpki.js';
import { TOPOLOGY_ERRORS } from './topology.js';
import { SIMULATOR_ERRORS } from './simulator.js';

export { defineCodes, type ErrorCodeInfo } from './define.js';

/**
 * Every error code of the system, with its meaning and what the resident and the operator are shown.
 * Each area keeps its codes in its own file here and adds it to this table.
 */
export const ERROR_CODES = {
  ...PROTOCOL_ERRORS,
  ...CARD_ERRORS,
  ...RELAY_ERRORS,
  ...DEVICE_ERRORS,
  ...KIOSK_ERRORS,
  ...MONEY_ERRORS,
  ...VRS_ERRORS,
  ...JPKI_ERRORS,
  ...TOPOLOGY_ERRORS,
  ...SIMULATOR_ERRORS,
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export { CodedError, codeOf, coded } from './coded.js';
