export { renderCertificate } from './render.js';
export { CertificateInput, MAX_COPIES, parseCertificateInput } from './input.js';
export { CertificateError, type CertificateErrorCode } from './errors.js';
export { SHC_PREFIX, isCompactJws, jwsFromShcNumeric, shcNumericFromJws } from './shc-numeric.js';
export { SHC_MAX_VERSION, shcQr, vdsNcQr, type QrEcLevel, type QrMatrix } from './qr.js';
export { QR_SIZE_MM } from './page.js';
export { BACKGROUND_TINT } from './background.js';
export { preloadCertificateFonts } from './fonts.js';
