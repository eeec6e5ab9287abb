/**
 * Reads a printed certificate back the way a verifier app would: rasterise the PDF with poppler's
 * `pdftoppm`, find and decode every QR code with jsQR, then verify each code's signature.
 *
 * - SMART Health Card (`shc:/` + digits): digits → compact JWS → ES256 verified with `jose` against a JWKS
 *   (an object, or a URL fetched with an optional CA for the VRS stand-in's self-signed HTTPS), `kid` checked
 *   to be the key's RFC 7638 thumbprint, payload inflated (raw DEFLATE) → the FHIR bundle.
 * - ICAO VDS-NC (JSON): ES256 over the canonical JSON (RFC 8785) of `data`, verified with the signer
 *   certificate in `sig.cer`, optionally chained to a trusted issuing CA.
 *
 * Nothing touches the disk: the PDF goes to `pdftoppm` on stdin and the pages come back on stdout.
 * Failures throw `CertificateCheckError` with a stable `code` (tests assert codes).
 */
import { spawn } from 'node:child_process';
import { X509Certificate, verify as verifySignature } from 'node:crypto';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { inflateRawSync } from 'node:zlib';
import {
  calculateJwkThumbprint,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { z } from 'zod';
import { SHC_PREFIX, jwsFromShcNumeric } from '../../kiosk/core/certificate/index.js';

export type CertificateCheckCode =
  | 'CHECK_RASTER_FAILED'
  | 'CHECK_NO_QR'
  | 'CHECK_QR_UNREADABLE'
  | 'CHECK_QR_UNKNOWN'
  | 'CHECK_SHC_MALFORMED'
  | 'CHECK_SHC_SIGNATURE'
  | 'CHECK_SHC_KID'
  | 'CHECK_SHC_PAYLOAD'
  | 'CHECK_JWKS_UNAVAILABLE'
  | 'CHECK_VDS_MALFORMED'
  | 'CHECK_VDS_SIGNATURE'
  | 'CHECK_VDS_UNTRUSTED';

export class CertificateCheckError extends Error {
  readonly code: CertificateCheckCode;
  constructor(code: CertificateCheckCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CertificateCheckError';
    this.code = code;
  }
}

const fail = (code: CertificateCheckCode, message: string, cause?: unknown): never => {
  throw new CertificateCheckError(code, message, cause === undefined ? undefined : { cause });
};

/** An RGBA page image. */
export interface PageImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

export interface DecodedQr {
  /** 1-based page number. */
  readonly page: number;
  readonly text: string;
  readonly bytes: Uint8Array;
}

// ---------------------------------------------------------------------------------------------- raster

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Splits concatenated PNG files (what `pdftoppm -png` writes to stdout for several pages). */
export function splitPngStream(stream: Uint8Array): Uint8Array[] {
  const buf = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  const out: Uint8Array[] = [];
  let start = 0;
  while (start < buf.length) {
    if (!buf.subarray(start, start + 8).equals(PNG_SIGNATURE))
      fail('CHECK_RASTER_FAILED', 'not a PNG stream');
    let at = start + 8;
    for (;;) {
      if (at + 12 > buf.length) fail('CHECK_RASTER_FAILED', 'truncated PNG stream');
      const length = buf.readUInt32BE(at);
      const type = buf.toString('latin1', at + 4, at + 8);
      at += 12 + length;
      if (type === 'IEND') break;
    }
    out.push(buf.subarray(start, at));
    start = at;
  }
  return out;
}

/** Rasterises every page of `pdf` at `dpi` with `pdftoppm` (PDF on stdin, PNGs on stdout). */
export async function rasterizePdf(pdf: Uint8Array, dpi = 200, page?: number): Promise<Uint8Array[]> {
  const range = page === undefined ? [] : ['-f', String(page), '-l', String(page)];
  const child = spawn('pdftoppm', ['-r', String(dpi), ...range, '-png', '-'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const exit = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
  child.stdin.on('error', () => undefined); // pdftoppm may exit early on a bad PDF
  child.stdin.end(Buffer.from(pdf));
  let code: number;
  try {
    code = await exit;
  } catch (cause) {
    return fail('CHECK_RASTER_FAILED', 'pdftoppm could not run (poppler-utils installed?)', cause);
  }
  if (code !== 0)
    fail(
      'CHECK_RASTER_FAILED',
      `pdftoppm exited with ${code}: ${Buffer.concat(err).toString().slice(0, 200)}`,
    );
  return splitPngStream(Buffer.concat(out));
}

export function decodePng(png: Uint8Array): PageImage {
  const img = PNG.sync.read(Buffer.from(png));
  return {
    width: img.width,
    height: img.height,
    data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length),
  };
}

// ------------------------------------------------------------------------------------------------- QR

/**
 * Global threshold at mid-grey, as a scanner app's binariser does on a well-lit page: the light-tint
 * background (guilloche, dots) drops out, black print stays. jsQR's own adaptive binariser otherwise turns
 * the dot pattern of blank regions into noise it spends seconds searching for finder patterns.
 */
export function binarize(image: PageImage): Uint8ClampedArray {
  const src = image.data;
  const out = new Uint8ClampedArray(src.length);
  for (let i = 0; i < src.length; i += 4) {
    const lum = 0.299 * (src[i] ?? 255) + 0.587 * (src[i + 1] ?? 255) + 0.114 * (src[i + 2] ?? 255);
    const v = lum < 128 ? 0 : 255;
    out[i] = v;
    out[i + 1] = v;
    out[i + 2] = v;
    out[i + 3] = 255;
  }
  return out;
}

export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function crop(data: Uint8ClampedArray, pageWidth: number, r: Region): Uint8ClampedArray {
  const out = new Uint8ClampedArray(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * pageWidth + r.x) * 4;
    out.set(data.subarray(from, from + r.width * 4), y * r.width * 4);
  }
  return out;
}

/** Paints the area of a found code white so the next search finds another one. */
function blank(
  data: Uint8ClampedArray,
  pageWidth: number,
  region: Region,
  loc: { x: number; y: number }[],
): void {
  const xs = loc.map((p) => p.x + region.x);
  const ys = loc.map((p) => p.y + region.y);
  const pad = (Math.max(...xs) - Math.min(...xs)) / 16;
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - pad));
  const x1 = Math.min(pageWidth, Math.ceil(Math.max(...xs) + pad));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - pad));
  const y1 = Math.min(data.length / 4 / pageWidth, Math.ceil(Math.max(...ys) + pad));
  for (let y = y0; y < y1; y++) data.fill(255, (y * pageWidth + x0) * 4, (y * pageWidth + x1) * 4);
}

/**
 * Where QR codes may be: square blobs of dense black. The binarised page is cut into ~1 mm cells; cells
 * that are more than 30 % black (a QR symbol is about half black; text is thinner) are dilated by one cell
 * and grouped; groups at least ~20 mm across and roughly square become candidates, padded by their quiet
 * zone. Cropping before decoding matters: on a whole A4 page jsQR follows its first finder-pattern guess
 * and gives up, so two codes side by side, or a large page, often decode to nothing.
 */
export function candidateRegions(data: Uint8ClampedArray, width: number, height: number): Region[] {
  const cell = Math.max(3, Math.round(width / 210));
  const cols = Math.ceil(width / cell);
  const rows = Math.ceil(height / cell);
  const dense = new Uint8Array(cols * rows);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      let black = 0;
      let total = 0;
      for (let y = cy * cell; y < Math.min(height, (cy + 1) * cell); y++) {
        for (let x = cx * cell; x < Math.min(width, (cx + 1) * cell); x++) {
          total++;
          if (data[(y * width + x) * 4] === 0) black++;
        }
      }
      if (black > total * 0.3) dense[cy * cols + cx] = 1;
    }
  }
  const grown = new Uint8Array(cols * rows);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      if (dense[cy * cols + cx] !== 1) continue;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          if (x >= 0 && y >= 0 && x < cols && y < rows) grown[y * cols + x] = 1;
        }
      }
    }
  }
  const seen = new Uint8Array(cols * rows);
  const out: Region[] = [];
  for (let start = 0; start < grown.length; start++) {
    if (grown[start] !== 1 || seen[start] === 1) continue;
    let [minX, maxX, minY, maxY] = [cols, -1, rows, -1];
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const i = stack.pop() ?? 0;
      const x = i % cols;
      const y = Math.floor(i / cols);
      [minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, y), Math.max(maxY, y)];
      for (const j of [x > 0 ? i - 1 : -1, x < cols - 1 ? i + 1 : -1, i - cols, i + cols]) {
        if (j >= 0 && j < grown.length && grown[j] === 1 && seen[j] !== 1) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    const w = maxX - minX + 1;
    const h = maxY - minY + 1;
    if (w < 20 || h < 20 || w > h * 1.4 || h > w * 1.4) continue;
    const pad = Math.ceil(Math.max(w, h) / 10);
    const x0 = Math.max(0, (minX - pad) * cell);
    const y0 = Math.max(0, (minY - pad) * cell);
    out.push({
      x: x0,
      y: y0,
      width: Math.min(width, (maxX + 1 + pad) * cell) - x0,
      height: Math.min(height, (maxY + 1 + pad) * cell) - y0,
    });
  }
  return out;
}

/** Nearest-neighbour resize of an RGBA crop. */
function resize(
  src: Uint8ClampedArray,
  w: number,
  h: number,
  f: number,
): { data: Uint8ClampedArray; width: number; height: number } {
  const width = Math.round(w * f);
  const height = Math.round(h * f);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(h - 1, Math.floor(y / f));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(w - 1, Math.floor(x / f));
      const s = (sy * w + sx) * 4;
      data.set(src.subarray(s, s + 4), (y * width + x) * 4);
    }
  }
  return { data, width, height };
}

/**
 * Scales tried on a crop. jsQR fails on some module sizes of large symbols (version 25+): a clean V30 code
 * at 250 dpi decoded only at 1.6×, 1.8× and 1.9×; stepping through scales makes decoding dependable.
 */
const SCALES = [1, 1.6, 1.8, 1.3, 0.8, 1.5, 1.9, 1.2, 0.9, 1.4, 1.7, 1.1, 0.7, 2];

/** jsQR on a crop, retried at other scales, first binarised, then with jsQR's own binariser. */
function decodeRegion(
  binarized: Uint8ClampedArray,
  original: Uint8ClampedArray,
  region: Region,
): { code: ReturnType<typeof jsQRModule.default>; f: number } {
  for (const pixels of [binarized, original]) {
    for (const f of SCALES) {
      const img =
        f === 1
          ? { data: pixels, width: region.width, height: region.height }
          : resize(pixels, region.width, region.height, f);
      const code = jsQRModule.default(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
      if (code !== null && code.binaryData.length > 0) return { code, f };
    }
  }
  return { code: null, f: 1 };
}

/** What a page scan found: decoded codes, and how many QR-like squares did not decode. */
export interface PageScan {
  readonly codes: { text: string; bytes: Uint8Array }[];
  readonly unreadable: number;
}

/**
 * Finds every QR code on a page: each candidate square (see `candidateRegions`), then the whole page for
 * anything left. A found code is painted white so a later search does not report it twice.
 */
export function findQrCodes(image: PageImage, maxCodes = 8): PageScan {
  const data = binarize(image);
  const codes: { text: string; bytes: Uint8Array }[] = [];
  let unreadable = 0;
  const whole: Region = { x: 0, y: 0, width: image.width, height: image.height };
  for (const region of candidateRegions(data, image.width, image.height)) {
    if (codes.length >= maxCodes) break;
    const { code, f } = decodeRegion(
      crop(data, image.width, region),
      crop(image.data, image.width, region),
      region,
    );
    if (code === null) {
      unreadable++;
      continue;
    }
    codes.push({ text: code.data, bytes: Uint8Array.from(code.binaryData) });
    const l = code.location;
    const corners = [l.topLeftCorner, l.topRightCorner, l.bottomLeftCorner, l.bottomRightCorner];
    blank(
      data,
      image.width,
      region,
      corners.map((p) => ({ x: p.x / f, y: p.y / f })),
    );
  }
  while (codes.length < maxCodes) {
    const code = jsQRModule.default(data, image.width, image.height, { inversionAttempts: 'dontInvert' });
    if (code === null || code.binaryData.length === 0) break;
    codes.push({ text: code.data, bytes: Uint8Array.from(code.binaryData) });
    const l = code.location;
    blank(data, image.width, whole, [
      l.topLeftCorner,
      l.topRightCorner,
      l.bottomLeftCorner,
      l.bottomRightCorner,
    ]);
  }
  return { codes, unreadable };
}

// ------------------------------------------------------------------------------------------------ SHC

const ShcPayload = z.object({
  iss: z.string().url(),
  nbf: z.number(),
  vc: z.object({
    type: z
      .array(z.string())
      .refine((t) => t.includes('https://smarthealth.cards#health-card'), 'health-card type'),
    credentialSubject: z.object({
      fhirVersion: z.string(),
      fhirBundle: z.looseObject({
        resourceType: z.literal('Bundle'),
        type: z.string(),
        entry: z.array(z.looseObject({})),
      }),
    }),
  }),
});

export interface VerifiedShc {
  readonly jws: string;
  readonly kid: string;
  readonly payload: z.infer<typeof ShcPayload>;
  readonly bundle: z.infer<typeof ShcPayload>['vc']['credentialSubject']['fhirBundle'];
}

/**
 * Where the SHC issuer's keys come from: a JWKS object, or its URL, fetched with the CA of a self-signed
 * server (`ca`) or with a caller's own function (`fetchJson`, e.g. through a custom agent).
 */
export type JwksSource =
  JSONWebKeySet | { url: string; ca?: string | Uint8Array; fetchJson?: (url: string) => Promise<unknown> };

function fetchJson(url: string, ca: string | Uint8Array | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${String(res.statusCode)}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
      res.on('error', reject);
    };
    const req =
      u.protocol === 'https:'
        ? httpsGet(u, { ca: ca === undefined ? undefined : Buffer.from(ca) }, onResponse)
        : httpGet(u, onResponse);
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
  });
}

export async function loadJwks(source: JwksSource): Promise<JSONWebKeySet> {
  if ('keys' in source) return source;
  let body: unknown;
  try {
    body = await (source.fetchJson ?? ((url: string) => fetchJson(url, source.ca)))(source.url);
  } catch (cause) {
    return fail('CHECK_JWKS_UNAVAILABLE', `JWKS not fetched from ${source.url}`, cause);
  }
  const parsed = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) }).safeParse(body);
  if (!parsed.success) return fail('CHECK_JWKS_UNAVAILABLE', 'JWKS response is not a key set');
  return parsed.data as JSONWebKeySet;
}

/** Verifies one `shc:/…` QR text against `jwks`; returns the verified payload and FHIR bundle. */
export async function verifyShcQr(text: string, jwks: JSONWebKeySet): Promise<VerifiedShc> {
  if (!text.startsWith(SHC_PREFIX)) fail('CHECK_SHC_MALFORMED', 'not an shc:/ QR');
  const rest = text.slice(SHC_PREFIX.length);
  if (rest.startsWith('C/') || rest.includes('/'))
    fail('CHECK_SHC_MALFORMED', 'chunked SHC QR codes are not printed here');
  const jws = jwsFromShcNumeric(rest);
  if (jws === undefined) return fail('CHECK_SHC_MALFORMED', 'shc:/ digits do not decode to a JWS');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch (cause) {
    return fail('CHECK_SHC_MALFORMED', 'JWS header does not decode', cause);
  }
  if (header.alg !== 'ES256' || header.zip !== 'DEF' || typeof header.kid !== 'string') {
    fail('CHECK_SHC_MALFORMED', 'SHC header must be alg ES256, zip DEF, with a kid');
  }
  const kid = header.kid as string;
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['ES256'] });
  } catch (cause) {
    return fail('CHECK_SHC_SIGNATURE', 'SHC signature does not verify against the JWKS', cause);
  }
  const jwk = jwks.keys.find((k) => k.kid === kid) as JWK | undefined;
  if (jwk === undefined || (await calculateJwkThumbprint(jwk, 'sha256')) !== kid) {
    fail('CHECK_SHC_KID', 'kid is not the RFC 7638 thumbprint of the signing key');
  }
  let json: unknown;
  try {
    json = JSON.parse(inflateRawSync(verified.payload).toString('utf8'));
  } catch (cause) {
    return fail('CHECK_SHC_PAYLOAD', 'SHC payload is not raw-DEFLATE JSON', cause);
  }
  const payload = ShcPayload.safeParse(json);
  if (!payload.success) return fail('CHECK_SHC_PAYLOAD', 'SHC payload is not a health card');
  return { jws, kid, payload: payload.data, bundle: payload.data.vc.credentialSubject.fhirBundle };
}

// --------------------------------------------------------------------------------------------- VDS-NC

const VdsNc = z.object({
  data: z.looseObject({
    hdr: z.looseObject({ t: z.string(), v: z.number(), is: z.string() }),
    msg: z.looseObject({}),
  }),
  sig: z.object({
    alg: z.literal('ES256'),
    cer: z.string().regex(/^[A-Za-z0-9_-]+$/),
    sigvl: z.string().regex(/^[A-Za-z0-9_-]+$/),
  }),
});

export interface VerifiedVdsNc {
  readonly document: z.infer<typeof VdsNc>;
  readonly data: z.infer<typeof VdsNc>['data'];
  readonly signer: X509Certificate;
}

/** RFC 8785 canonical JSON: keys sorted by UTF-16 code units, no whitespace. */
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

/**
 * Verifies a VDS-NC QR's JSON: the ES256 signature (r‖s, or DER) over canonical `data` with the key of the
 * certificate in `sig.cer`; when `trustedCas` is given, that certificate must be signed by one of them.
 */
export function verifyVdsNcQr(text: string, trustedCas?: readonly (string | Uint8Array)[]): VerifiedVdsNc {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return fail('CHECK_VDS_MALFORMED', 'VDS-NC QR is not JSON', cause);
  }
  const doc = VdsNc.safeParse(json);
  if (!doc.success) return fail('CHECK_VDS_MALFORMED', 'VDS-NC document does not have data/sig');
  let signer: X509Certificate;
  try {
    signer = new X509Certificate(Buffer.from(doc.data.sig.cer, 'base64url'));
  } catch (cause) {
    return fail('CHECK_VDS_MALFORMED', 'sig.cer is not an X.509 certificate', cause);
  }
  const message = Buffer.from(canonicalJson(doc.data.data), 'utf8');
  const signature = Buffer.from(doc.data.sig.sigvl, 'base64url');
  const dsaEncoding = signature.length === 64 ? 'ieee-p1363' : 'der';
  let ok = false;
  try {
    ok = verifySignature('sha256', message, { key: signer.publicKey, dsaEncoding }, signature);
  } catch {
    ok = false;
  }
  if (!ok) fail('CHECK_VDS_SIGNATURE', 'VDS-NC signature does not verify with its signer certificate');
  if (trustedCas !== undefined) {
    const chained = trustedCas.some((ca) => {
      try {
        const caCert = new X509Certificate(typeof ca === 'string' ? ca : Buffer.from(ca));
        return signer.checkIssued(caCert) && signer.verify(caCert.publicKey);
      } catch {
        return false;
      }
    });
    if (!chained) fail('CHECK_VDS_UNTRUSTED', 'VDS-NC signer certificate is not issued by a trusted CA');
  }
  return { document: doc.data, data: doc.data.data, signer };
}

// ------------------------------------------------------------------------------------------ the whole

/** Resolutions tried again on a page where a QR-like square did not decode (jsQR is resolution sensitive). */
const RETRY_DPI = [300, 150, 250, 180];

export interface CheckOptions {
  /** Keys of the SHC issuer. */
  readonly jwks: JwksSource;
  /** CA certificates (PEM or DER) the VDS-NC signer must chain to; omitted: only the signature is checked. */
  readonly vdsTrustedCas?: readonly (string | Uint8Array)[];
  /** Raster resolution (default 200 dpi). */
  readonly dpi?: number;
}

export interface CheckedPage {
  readonly page: number;
  readonly shc: VerifiedShc[];
  readonly vdsNc: VerifiedVdsNc[];
}

export interface CertificateCheck {
  readonly pages: CheckedPage[];
  readonly shc: VerifiedShc[];
  readonly vdsNc: VerifiedVdsNc[];
}

/**
 * Checks a printed certificate: `source` is the PDF, or the page PNGs (e.g. from the printer simulator).
 * Every page must carry at least one QR code, and every QR code must be a verifying SHC or VDS-NC.
 */
export async function checkCertificate(
  source: Uint8Array | { pngs: readonly Uint8Array[] },
  options: CheckOptions,
): Promise<CertificateCheck> {
  const dpi = options.dpi ?? 200;
  const pngs = source instanceof Uint8Array ? await rasterizePdf(source, dpi) : source.pngs;
  const jwks = await loadJwks(options.jwks);
  const pages: CheckedPage[] = [];
  for (const [i, png] of pngs.entries()) {
    let scan = findQrCodes(decodePng(png));
    // A QR-like square jsQR could not read: from a PDF, render that page again at other resolutions.
    if (source instanceof Uint8Array) {
      for (const retryDpi of RETRY_DPI.filter((d) => d !== dpi)) {
        if (scan.unreadable === 0) break;
        const [again] = await rasterizePdf(source, retryDpi, i + 1);
        if (again !== undefined) {
          const next = findQrCodes(decodePng(again));
          if (next.unreadable < scan.unreadable) scan = next;
        }
      }
    }
    if (scan.unreadable > 0)
      fail('CHECK_QR_UNREADABLE', `page ${i + 1}: ${scan.unreadable} QR-like area(s) did not decode`);
    if (scan.codes.length === 0) fail('CHECK_NO_QR', `page ${i + 1}: no QR code found`);
    const shc: VerifiedShc[] = [];
    const vdsNc: VerifiedVdsNc[] = [];
    for (const c of scan.codes) {
      if (c.text.startsWith(SHC_PREFIX)) shc.push(await verifyShcQr(c.text, jwks));
      else if (c.text.trimStart().startsWith('{'))
        vdsNc.push(verifyVdsNcQr(new TextDecoder().decode(c.bytes), options.vdsTrustedCas));
      else fail('CHECK_QR_UNKNOWN', `page ${i + 1}: a QR code is neither SHC nor VDS-NC`);
    }
    pages.push({ page: i + 1, shc, vdsNc });
  }
  return { pages, shc: pages.flatMap((p) => p.shc), vdsNc: pages.flatMap((p) => p.vdsNc) };
}
