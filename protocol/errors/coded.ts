import { isErrorCode, type ErrorCode } from './index.js';

/**
 * The one error class of the project: a documented code (`protocol/errors`) and a message that names ids,
 * fields and limits, never personal data or key material. Every part's own error class extends it
 * (`RelayError`, `CertificateError`, …), and nothing throws a bare `Error` with a `code` glued on
 * (`tests/layers.test.ts` checks the source), so a code is always one the README tables explain.
 */
export class CodedError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** `new CodedError(code, message, { cause })` for the drivers' many short throw sites. */
export function coded<C extends ErrorCode>(code: C, message: string, cause?: unknown): CodedError<C> {
  return new CodedError(code, message, { cause });
}

/**
 * The code of anything caught: its own when it is a documented one (a `CodedError`, or an error from a
 * library or the other side of a boundary that carries one), else `fallback`.
 */
export function codeOf<F extends ErrorCode>(err: unknown, fallback: F): ErrorCode {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return isErrorCode(code) ? code : fallback;
}
