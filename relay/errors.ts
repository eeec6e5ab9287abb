import { CodedError } from '../protocol/errors/index.js';
import type { ErrorCode } from '../protocol/errors/index.js';

/** A coded relay error. Messages name ids and fields only, never personal data or key material. */
export class RelayError extends CodedError {}

/** A result for a bad peer: never thrown, always returned. */
export type Result<T, C extends ErrorCode = ErrorCode> = ({ ok: true } & T) | { ok: false; code: C };
