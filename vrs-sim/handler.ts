import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../common/db.js';
import type { Logger } from '../common/log.js';
import { verifyCardData, type KenhojoIssuerVerifier } from '../protocol/card-data.js';
import {
  fromBase64Url,
  openRequest,
  sealAnswer,
  toBase64Url,
  type CertAnswerBody,
  type CertRequest,
  type CryptoProvider,
  type RelayToVrs,
  type VrsToRelay,
} from '../protocol/index.js';
import type { AlertCenter, ResidentSpread } from './alerts.js';
import { recordAudit, type AuditEntry } from './audit.js';
import { CertificateTooLargeError, type CertificateIssuer } from './certs/issuer.js';
import { basic4Mismatch, issuedBody, municipalityList } from './answer.js';
import { findMunicipality } from './municipalities.js';
import type { JpkiAuthenticator } from './jpki/authenticator.js';
import type { VrsService } from './service.js';

/** Passports registered before this date do not allow kiosk issuance of the overseas version (docs/reference.md §1.2). */
export const PASSPORT_REGISTERED_FROM = '2022-07-21';

export interface HandlerOptions {
  db: Db;
  service: VrsService;
  issuer: CertificateIssuer;
  alerts: AlertCenter;
  spread: ResidentSpread;
  crypto: CryptoProvider;
  /** VRS's X25519 key for the end-to-end envelopes. */
  boxSecretKey: Uint8Array;
  /** The 券面事項入力補助AP issuer (its X.509 certificate's key: `KenhojoIssuer`), for カードAP requests. */
  kenhojoIssuer: KenhojoIssuerVerifier;
  /**
   * JPKI authentication (PROTOCOL.md): the default for every municipality that has not chosen カードAP. Absent,
   * every municipality uses カードAP and JPKI requests are refused (VRS_AUTH_METHOD_NOT_ALLOWED).
   */
  jpki?: JpkiAuthenticator;
  log: Logger;
  now?: () => Date;
  /** Whether a municipality is still served (a crypto-shredded one is not listed). */
  served?: (code: string) => boolean;
}

/** Where a message came from: the relay's key id and the socket address (for alerts). */
export interface MessageContext {
  relayId: string;
  source: string;
}

interface Answered {
  sealedHash: string;
  reply: Promise<VrsToRelay>;
  at: number;
}

const DEDUPE_TTL_MS = 15 * 60_000;
const DEDUPE_MAX = 10_000;

/**
 * Handles the relay's messages: opens the sealed request, checks routing, card signature, basic 4
 * information and rights, signs the certificate, audits, and seals the answer to the kiosk. Transport-
 * agnostic (the WebSocket endpoint feeds it). A request id seen before with the same sealed bytes gets
 * the same answer again (the relay retries safely); with other bytes it is a replay and is refused.
 */
export class RequestHandler {
  readonly #o: HandlerOptions;
  readonly #answered = new Map<string, Answered>();
  /** Keyed hash for intrusion detection only; the key lives in memory and dies with the process. */
  readonly #idsKey = randomBytes(32);

  constructor(options: HandlerOptions) {
    this.#o = options;
  }

  async handle(msg: RelayToVrs, ctx: MessageContext): Promise<VrsToRelay> {
    switch (msg.type) {
      case 'vrs.municipalities.request':
        return {
          v: 1,
          type: 'vrs.municipalities.response',
          requestId: msg.requestId,
          list: municipalityList(this.#o.served),
        };
      case 'vrs.request':
        return this.#request(msg, ctx);
      default: {
        const never: never = msg;
        throw new TypeError(`message: ${String(never)}`);
      }
    }
  }

  #request(msg: Extract<RelayToVrs, { type: 'vrs.request' }>, ctx: MessageContext): Promise<VrsToRelay> {
    const sealedHash = createHmac('sha256', this.#idsKey).update(msg.sealed).digest('base64url');
    const seen = this.#answered.get(msg.requestId);
    if (seen !== undefined && Date.now() - seen.at < DEDUPE_TTL_MS) {
      if (seen.sealedHash === sealedHash) return seen.reply;
      this.#o.alerts.raise('replayed-request', {
        source: ctx.source,
        kioskId: msg.kioskId,
        text: 'request id reused with other content',
      });
      this.#audit({
        requestId: msg.requestId,
        kioskId: msg.kioskId,
        municipality: msg.municipality,
        outcome: 'replayed',
        code: 'VRS_REQUEST_MISROUTED',
      }).catch(() => undefined);
      return Promise.resolve({
        v: 1,
        type: 'vrs.error',
        requestId: msg.requestId,
        code: 'VRS_REQUEST_MISROUTED',
      });
    }
    // Never rejects: any failure (storage down, …) becomes VRS_UNAVAILABLE, which the relay may retry.
    const reply = this.#process(msg, ctx).catch((): VrsToRelay => ({
      v: 1,
      type: 'vrs.error',
      requestId: msg.requestId,
      code: 'VRS_UNAVAILABLE',
    }));
    const entry: Answered = { sealedHash, reply, at: Date.now() };
    this.#answered.set(msg.requestId, entry);
    // Transient failures are not remembered: the relay's retry gets a fresh attempt.
    void reply.then((r) => {
      if (
        r.type === 'vrs.error' &&
        r.code === 'VRS_UNAVAILABLE' &&
        this.#answered.get(msg.requestId) === entry
      )
        this.#answered.delete(msg.requestId);
    });
    if (this.#answered.size > DEDUPE_MAX) {
      for (const [k, v] of this.#answered) {
        if (this.#answered.size <= DEDUPE_MAX * 0.9 && Date.now() - v.at < DEDUPE_TTL_MS) break;
        this.#answered.delete(k);
      }
    }
    return reply;
  }

  async #audit(e: AuditEntry): Promise<void> {
    try {
      await recordAudit(this.#o.db, e);
    } catch (err) {
      this.#o.log.error('audit.failed', {
        requestId: e.requestId,
        error: err instanceof Error ? err.name : 'error',
      });
      throw err;
    }
  }

  async #process(
    msg: Extract<RelayToVrs, { type: 'vrs.request' }>,
    ctx: MessageContext,
  ): Promise<VrsToRelay> {
    const o = this.#o;
    const error = (code: string): VrsToRelay => ({ v: 1, type: 'vrs.error', requestId: msg.requestId, code });
    const sealed = fromBase64Url(msg.sealed);
    if (sealed === undefined) {
      o.alerts.raise('malformed-request', {
        source: ctx.source,
        kioskId: msg.kioskId,
        text: 'sealed is not base64url',
      });
      return error('PROTOCOL_MALFORMED');
    }
    const opened = openRequest({ sealed, vrsBoxSecretKey: o.boxSecretKey, crypto: o.crypto });
    if (!opened.ok) {
      o.alerts.raise('malformed-request', {
        source: ctx.source,
        kioskId: msg.kioskId,
        text: `code=${opened.code}`,
      });
      await this.#audit({
        requestId: msg.requestId,
        kioskId: msg.kioskId,
        municipality: msg.municipality,
        outcome: 'error',
        code: opened.code,
      });
      return error(opened.code);
    }
    const request = opened.request;
    if (
      request.requestId !== msg.requestId ||
      request.kioskId !== msg.kioskId ||
      request.municipality !== msg.municipality
    ) {
      o.alerts.raise('misrouted-request', {
        source: ctx.source,
        kioskId: msg.kioskId,
        text: 'routing differs from the sealed request',
      });
      await this.#audit({
        requestId: msg.requestId,
        kioskId: msg.kioskId,
        municipality: msg.municipality,
        outcome: 'error',
        code: 'VRS_REQUEST_MISROUTED',
      });
      return error('VRS_REQUEST_MISROUTED');
    }
    try {
      const { body, audit } = await this.#decide(request, ctx);
      await this.#audit({
        requestId: request.requestId,
        kioskId: request.kioskId,
        municipality: request.municipality,
        ...audit,
      });
      const answer = sealAnswer({ request, sealedRequest: sealed, body, crypto: o.crypto });
      o.log.info('request.answered', {
        requestId: request.requestId,
        kioskId: request.kioskId,
        outcome: body.outcome,
        code: audit.code,
      });
      return { v: 1, type: 'vrs.response', requestId: request.requestId, sealed: toBase64Url(answer) };
    } catch (err) {
      o.log.error('request.failed', {
        requestId: request.requestId,
        error: err instanceof Error ? err.name : 'error',
      });
      return error('VRS_UNAVAILABLE');
    }
  }

  async #decide(
    request: CertRequest,
    ctx: MessageContext,
  ): Promise<{ body: CertAnswerBody; audit: Omit<AuditEntry, 'requestId' | 'kioskId' | 'municipality'> }> {
    const o = this.#o;
    const refused = (code: string, residentHash?: Uint8Array) => ({
      body: { outcome: 'refused' as const, code },
      audit: { outcome: 'refused' as const, code, residentHash },
    });
    if (findMunicipality(request.municipality) === undefined) return refused('VRS_MUNICIPALITY_UNKNOWN');
    const now = o.now?.() ?? new Date();
    const method = request.jpki !== undefined ? 'jpki' : 'card-ap';
    if (method !== (o.jpki?.method(request.municipality) ?? 'card-ap'))
      return refused('VRS_AUTH_METHOD_NOT_ALLOWED');
    let myNumber: string;
    let card: Extract<ReturnType<typeof verifyCardData>, { ok: true }> | undefined;
    if (method === 'jpki') {
      const a = await o.jpki!.authenticate(request, request.kioskId, now.getTime());
      if (!a.ok) {
        if (a.alert)
          o.alerts.raise(a.alert.kind, { source: ctx.source, kioskId: request.kioskId, text: a.alert.text });
        return refused(a.code);
      }
      myNumber = a.myNumber;
    } else {
      if (request.card === undefined) return refused('VRS_CARD_INVALID');
      const ef = (s: string) => fromBase64Url(s) ?? new Uint8Array(0);
      const verified = verifyCardData({
        myNumberEf: ef(request.card.myNumberEf),
        basic4Ef: ef(request.card.basic4Ef),
        signatureEf: ef(request.card.signatureEf),
        issuer: o.kenhojoIssuer,
      });
      if (!verified.ok) {
        if (verified.code === 'CARD_FORGED')
          o.alerts.raise('forged-card', {
            source: ctx.source,
            kioskId: request.kioskId,
            text: 'card data did not verify against the card issuer',
          });
        return refused(verified.code === 'CARD_FORGED' ? 'VRS_CARD_FORGED' : 'VRS_CARD_INVALID');
      }
      card = verified;
      myNumber = verified.myNumber;
    }
    const spreadKey = createHmac('sha256', this.#idsKey).update(myNumber).digest('base64url');
    if (o.spread.note(request.kioskId, spreadKey)) {
      o.alerts.raise('many-residents', {
        source: ctx.source,
        kioskId: request.kioskId,
        text: 'one kiosk asked for many different residents',
      });
      return refused('VRS_RATE_LIMITED');
    }
    const view = o.service.as({ kind: 'municipality', code: request.municipality });
    const found = await view.findResident(request.municipality, myNumber);
    if (!found.ok) {
      const hash = 'residentHash' in found ? found.residentHash : undefined;
      if (found.code === 'VRS_NO_RECORD')
        return { body: { outcome: 'no-record' }, audit: { outcome: 'no-record', residentHash: hash } };
      if (found.code === 'VRS_RECORD_CORRUPT')
        o.alerts.raise('record-corrupt', {
          source: ctx.source,
          kioskId: request.kioskId,
          text: `municipality=${request.municipality}`,
        });
      return refused(found.code, hash);
    }
    const { record, residentHash } = found;
    // カードAP: the card's 基本4情報 must match the record. JPKI: the record is the resident's by the serial link.
    const mismatch = card === undefined ? [] : basic4Mismatch(card, record);
    if (mismatch.length > 0) {
      o.log.info('request.basic4_mismatch', { requestId: request.requestId, fields: mismatch.join(',') });
      return refused('VRS_BASIC4_MISMATCH', residentHash);
    }
    if (
      request.certType === 'overseas' &&
      (record.passport === undefined || record.passport.registeredAt < PASSPORT_REGISTERED_FROM)
    )
      return refused('VRS_NO_PASSPORT', residentHash);
    if (record.doses.length === 0)
      return { body: { outcome: 'no-record' }, audit: { outcome: 'no-record', residentHash } };
    try {
      const cert = await o.issuer.issue(record, request.municipality, request.certType, now);
      return {
        body: issuedBody(record, request.municipality, request.certType, cert, now),
        audit: { outcome: 'issued', residentHash, certificateId: cert.certificateId },
      };
    } catch (err) {
      if (err instanceof CertificateTooLargeError) return refused('VRS_CERT_TOO_LARGE', residentHash);
      throw err;
    }
  }
}
