import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Jlis } from '../../jlis-sim/jlis.js';
import { nodeCrypto } from '../../common/crypto-node.js';
import type { Db } from '../../common/db.js';
import { createLogger, type Logger } from '../../common/log.js';
import {
  createCardFiles,
  type Basic4,
  type CardFiles,
  type KenhojoIssuerSigner,
  type KenhojoIssuerVerifier,
} from '../../protocol/card-data.js';
import {
  newRequestId,
  sealRequest,
  toBase64Url,
  type CardData,
  type CertRequestFields,
  type CryptoProvider,
  type RelayToVrs,
  type ReplyKey,
} from '../../protocol/index.js';
import { AlertCenter, ResidentSpread } from '../alerts.js';
import { CertificateIssuer } from '../certs/issuer.js';
import { ensureVdsNcSigner } from '../certs/pki.js';
import { SigningKeys } from '../certs/signing-keys.js';
import { RequestHandler } from '../handler.js';
import type { JpkiAuthenticator } from '../jpki/authenticator.js';
import { KenhojoIssuer } from '../kenhojo-issuer.js';
import { VrsService } from '../service.js';
import type { ResidentStore } from '../storage/store.js';

/**
 * Kiosk-side requests and an in-process request handler, for the VRS stand-in's tests, fuzzer and benchmark.
 * Nothing here is used by VRS itself.
 */

/** What a card holds about its holder: the basic 4 information and the My Number (a fixture or a generated resident). */
export type CardHolder = Basic4 & { myNumber: string };

/**
 * A card issuer for tests: the J-LIS stand-in's 券面事項入力補助AP signer (RSA-2048, X.509 self-signed), made
 * once per process in a temporary folder. `verifier` is what VRS builds from `certificate`.
 */
export interface TestKenhojoIssuer {
  certificate: Uint8Array;
  signer: KenhojoIssuerSigner;
  verifier: KenhojoIssuer;
  /** EF 00 04 as the stand-in writes it. */
  certificateEf: Uint8Array;
  /** The stand-in itself (its state folder holds `kenhojo-signer.pem`). */
  jlis: Jlis;
}

let shared: Promise<TestKenhojoIssuer> | undefined;

/**
 * The process's test card issuer (see `TestKenhojoIssuer`); `fresh` makes another one (a foreign issuer).
 *
 *   const issuer = await testKenhojoIssuer();
 *   const files = cardFilesFor(resident, issuer);
 */
export function testKenhojoIssuer(options: { fresh?: boolean } = {}): Promise<TestKenhojoIssuer> {
  const make = async (): Promise<TestKenhojoIssuer> => {
    const jlis = await Jlis.open(mkdtempSync(join(tmpdir(), 'kenhojo-issuer-')));
    return {
      certificate: jlis.kenhojoSignerCertificate,
      signer: { sign: (d) => jlis.signKenhojo(d) },
      verifier: KenhojoIssuer.fromCertificate(jlis.kenhojoSignerCertificate),
      certificateEf: jlis.kenhojoCardCertificate(),
      jlis,
    };
  };
  if (options.fresh) return make();
  shared ??= make();
  return shared;
}

/** The four elementary files of a card for `holder`, written and signed by `issuer`. */
export function cardFilesFor(
  holder: CardHolder,
  issuer: Pick<TestKenhojoIssuer, 'signer' | 'certificateEf'>,
): CardFiles {
  return createCardFiles(holder, issuer);
}

/** Card files as a request carries them: each file base64url-encoded. */
export function encodeCard(files: CardFiles): CardData {
  return {
    myNumberEf: toBase64Url(files.myNumberEf),
    basic4Ef: toBase64Url(files.basic4Ef),
    signatureEf: toBase64Url(files.signatureEf),
    certificateEf: toBase64Url(files.certificateEf),
  };
}

/**
 * A card for `holder`, as a request carries it (`encodeCard(cardFilesFor(…))`).
 *
 *   sealTestRequest({ vrsBoxPublicKey, kioskId, municipality: '131016', card: cardFor(taro, issuer) });
 */
export function cardFor(
  holder: CardHolder,
  issuer: Pick<TestKenhojoIssuer, 'signer' | 'certificateEf'>,
): CardData {
  return encodeCard(cardFilesFor(holder, issuer));
}

/** The relay's `vrs.request` message. */
export type VrsRequestMessage = Extract<RelayToVrs, { type: 'vrs.request' }>;

/**
 * A kiosk's certificate request, sealed to VRS's box key. `certType` defaults to 'domestic', `copies` to 1,
 * `requestId` to a new one, `crypto` to Node's. Keep `replyKey` to open the answer.
 */
export function sealTestRequest(
  options: Omit<CertRequestFields, 'certType' | 'copies' | 'requestId'> &
    Partial<Pick<CertRequestFields, 'certType' | 'copies' | 'requestId'>> & {
      vrsBoxPublicKey: Uint8Array;
      crypto?: CryptoProvider;
    },
): { sealed: Uint8Array; replyKey: ReplyKey; requestId: string } {
  const { vrsBoxPublicKey, crypto = nodeCrypto, ...fields } = options;
  const requestId = fields.requestId ?? newRequestId(crypto);
  const { sealed, replyKey } = sealRequest({
    vrsBoxPublicKey,
    request: {
      requestId,
      kioskId: fields.kioskId,
      municipality: fields.municipality,
      certType: fields.certType ?? 'domestic',
      copies: fields.copies ?? 1,
      ...(fields.card !== undefined ? { card: fields.card } : {}),
      ...(fields.jpki !== undefined ? { jpki: fields.jpki } : {}),
    },
    crypto,
  });
  return { sealed, replyKey, requestId };
}

/**
 * The relay's `vrs.request` carrying `sealed` with the given routing. The routing is taken as given, so it may
 * differ from what is sealed inside (misrouting tests) and `sealed` may be any bytes (garbage tests).
 */
export function relayRequest(routing: {
  requestId: string;
  kioskId: string;
  municipality: string;
  sealed: Uint8Array;
}): VrsRequestMessage {
  return {
    v: 1,
    type: 'vrs.request',
    requestId: routing.requestId,
    kioskId: routing.kioskId,
    municipality: routing.municipality,
    sealed: toBase64Url(routing.sealed),
  };
}

/**
 * A sealed request as the relay hands it to VRS: `sealTestRequest`, then `relayRequest` with the same request
 * id, kiosk id and municipality.
 *
 *   const { msg, replyKey, requestId, sealed } = vrsRequestMessage({ vrsBoxPublicKey, kioskId, municipality, card });
 *   const reply = await handler.handle(msg, ctx);
 */
export function vrsRequestMessage(options: Parameters<typeof sealTestRequest>[0]): {
  msg: VrsRequestMessage;
  sealed: Uint8Array;
  replyKey: ReplyKey;
  requestId: string;
} {
  const { sealed, replyKey, requestId } = sealTestRequest(options);
  const msg = relayRequest({
    requestId,
    kioskId: options.kioskId,
    municipality: options.municipality,
    sealed,
  });
  return { msg, sealed, replyKey, requestId };
}

/**
 * The certificate issuer of a test VRS: signing keys in `dir/signing`, the VDS-NC signer in `dir`, issuer URL
 * `https://127.0.0.1:1/issuer` (nothing listens there).
 */
export async function createTestIssuer(db: Db, dir: string): Promise<CertificateIssuer> {
  return new CertificateIssuer({
    db,
    keys: new SigningKeys(join(dir, 'signing')),
    vdsnc: await ensureVdsNcSigner(dir),
    iss: () => 'https://127.0.0.1:1/issuer',
  });
}

/**
 * Options of `createTestHandler`: what differs between the places that build a handler. Either `dir`, the state
 * folder for `createTestIssuer`, or an `issuer` built by the caller.
 */
export type TestHandlerOptions = {
  /** The database of the issuer and the alerts, and of the handler unless `handlerDb` is given. */
  db: Db;
  store: ResidentStore;
  /** VRS's X25519 secret key for the end-to-end envelopes. */
  boxSecretKey: Uint8Array;
  /** The card issuer VRS trusts for カードAP requests (`testKenhojoIssuer().verifier`). */
  kenhojoIssuer: KenhojoIssuerVerifier;
  /** Default: a logger that writes nothing. */
  log?: Logger;
  /** The handler's own database when it differs from `db` (a wrapper that fails on demand). */
  handlerDb?: Db;
  /** Default: `new AlertCenter({ db, log })`. */
  alerts?: AlertCenter;
  /** Lookups of different residents by one kiosk before an alert (default: ResidentSpread's own). */
  spreadThreshold?: number;
  crypto?: CryptoProvider;
  /** JPKI authentication (see `testing/jpki.ts`); absent, every municipality uses カードAP. */
  jpki?: JpkiAuthenticator;
  now?: () => Date;
} & ({ dir: string; issuer?: undefined } | { issuer: CertificateIssuer; dir?: undefined });

/**
 * A `RequestHandler` in process with its standard collaborators: `VrsService` over `store`, the issuer (given,
 * or `createTestIssuer(db, dir)`), alerts, a resident-spread detector, Node's crypto by default.
 */
export async function createTestHandler(options: TestHandlerOptions): Promise<RequestHandler> {
  const { db } = options;
  const log = options.log ?? createLogger('test', () => undefined);
  return new RequestHandler({
    db: options.handlerDb ?? db,
    service: new VrsService(options.store),
    issuer: options.issuer !== undefined ? options.issuer : await createTestIssuer(db, options.dir),
    alerts: options.alerts ?? new AlertCenter({ db, log }),
    spread: new ResidentSpread({ threshold: options.spreadThreshold }),
    crypto: options.crypto ?? nodeCrypto,
    boxSecretKey: options.boxSecretKey,
    kenhojoIssuer: options.kenhojoIssuer,
    log,
    ...(options.jpki ? { jpki: options.jpki } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
