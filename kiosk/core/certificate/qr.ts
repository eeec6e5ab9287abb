import QRCode from 'qrcode';
import { CertificateError } from './errors.js';
import { SHC_PREFIX, isCompactJws, shcNumericFromJws } from './shc-numeric.js';

export type QrEcLevel = 'L' | 'M' | 'Q' | 'H';

/** A QR symbol as a square of modules (quiet zone not included). */
export interface QrMatrix {
  readonly size: number;
  readonly version: number;
  readonly ecLevel: QrEcLevel;
  isDark(row: number, col: number): boolean;
}

/** SHC spec: one QR of at most version 22 (105 × 105 modules, printable at 40 mm). */
export const SHC_MAX_VERSION = 22;
/** VDS-NC carries its signer certificate, so it is larger; QR codes stop at version 40. */
export const VDS_NC_MAX_VERSION = 40;
/** Highest error correction first: the certificate is printed on plain paper and may be folded. */
const EC_LEVELS: readonly QrEcLevel[] = ['H', 'Q', 'M', 'L'];

/**
 * Versions never printed. jsQR 1.4.0, the decoder behind many browser-based verifiers (and our tests), has
 * the wrong alignment-pattern centres for version 23 (74 instead of 78, ISO/IEC 18004 Annex E), so it
 * cannot read a correct version-23 symbol; the next version up is used instead.
 */
const AVOIDED_VERSIONS: ReadonlySet<number> = new Set([23]);

function create(
  segments: QRCode.QRCodeSegment[],
  ecLevel: QrEcLevel,
  version?: number,
): QRCode.QRCode | undefined {
  try {
    return QRCode.create(
      segments,
      version === undefined ? { errorCorrectionLevel: ecLevel } : { errorCorrectionLevel: ecLevel, version },
    );
  } catch {
    return undefined; // does not fit (any version, or the one asked for) at this level
  }
}

function build(
  segments: QRCode.QRCodeSegment[],
  maxVersion: number,
  levels: readonly QrEcLevel[],
): QrMatrix | undefined {
  for (const ecLevel of levels) {
    let qr = create(segments, ecLevel);
    if (qr !== undefined && AVOIDED_VERSIONS.has(qr.version)) qr = create(segments, ecLevel, qr.version + 1);
    if (qr === undefined || qr.version > maxVersion) continue;
    const { size, data } = qr.modules;
    return { size, version: qr.version, ecLevel, isDark: (r, c) => data[r * size + c] === 1 };
  }
  return undefined;
}

/**
 * The SMART Health Card QR: a byte segment `shc:/` and a numeric segment with the JWS digits, at the
 * highest error-correction level that still fits version 22.
 * @throws CertificateError CERT_INPUT_INVALID when `jws` is not a compact JWS; CERT_QR_TOO_LARGE when it
 *   needs more than one version-22 QR (chunking is deprecated by the SHC spec and not printed).
 */
export function shcQr(jws: string): QrMatrix {
  if (!isCompactJws(jws)) throw new CertificateError('CERT_INPUT_INVALID', 'shc: not a compact JWS');
  const segments: QRCode.QRCodeSegment[] = [
    { data: new TextEncoder().encode(SHC_PREFIX), mode: 'byte' },
    { data: shcNumericFromJws(jws), mode: 'numeric' },
  ];
  const qr = build(segments, SHC_MAX_VERSION, EC_LEVELS);
  if (qr === undefined) {
    throw new CertificateError(
      'CERT_QR_TOO_LARGE',
      `shc: ${jws.length} characters do not fit a version-22 QR`,
    );
  }
  return qr;
}

/**
 * The ICAO VDS-NC QR: the JSON document as one byte segment (UTF-8), at level M when that fits version 25
 * (117 modules, ~0.46 mm each at the printed size), otherwise at level L (the smallest symbol, largest
 * modules) up to version 40. A typical document with its signer certificate is 0.9–1.4 kB.
 * @throws CertificateError CERT_QR_TOO_LARGE when the document does not fit a version-40 QR.
 */
export function vdsNcQr(json: string): QrMatrix {
  const segments: QRCode.QRCodeSegment[] = [{ data: new TextEncoder().encode(json), mode: 'byte' }];
  const qr = build(segments, 25, ['M']) ?? build(segments, VDS_NC_MAX_VERSION, ['L']);
  if (qr === undefined) {
    throw new CertificateError('CERT_QR_TOO_LARGE', `vdsNc: ${json.length} bytes do not fit a version-40 QR`);
  }
  return qr;
}

/**
 * Draws `qr` as vector rectangles (one per horizontal run of dark modules) in a `sizePt` square at (x, y),
 * on a white square that includes the 4-module quiet zone.
 */
export function drawQr(doc: PDFKit.PDFDocument, qr: QrMatrix, x: number, y: number, sizePt: number): void {
  const quiet = 4;
  const module = sizePt / (qr.size + 2 * quiet);
  doc.save();
  doc.rect(x, y, sizePt, sizePt).fill('#ffffff');
  const ox = x + quiet * module;
  const oy = y + quiet * module;
  for (let r = 0; r < qr.size; r++) {
    let c = 0;
    while (c < qr.size) {
      if (!qr.isDark(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < qr.size && qr.isDark(r, c)) c++;
      doc.rect(ox + start * module, oy + r * module, (c - start) * module, module);
    }
  }
  doc.fill('#000000');
  doc.restore();
}
