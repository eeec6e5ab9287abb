import { CodedError } from '../../../protocol/errors/index.js';
/** Codes the certificate renderer raises (documented in `protocol/errors/kiosk.ts`). */
export type CertificateErrorCode =
  'CERT_INPUT_INVALID' | 'CERT_GLYPH_MISSING' | 'CERT_QR_TOO_LARGE' | 'CERT_RENDER_FAILED';

/**
 * Raised by `renderCertificate`. The message names the field or the limit, never a value: a certificate's
 * fields are personal data.
 */
export class CertificateError extends CodedError<CertificateErrorCode> {}
