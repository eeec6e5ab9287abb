import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { nodeCrypto } from '../../common/crypto-node.js';
import { toBase64Url } from '../bytes.js';
import { tweetnaclCrypto, x25519KeyPair } from '../crypto.js';
import { generateIdentity } from '../identity.js';
import type { CertAnswerBody } from '../messages/cert.js';
import { newRequestId } from '../messages/codec.js';
import {
  openAnswer,
  openRequest,
  openSealed,
  sealAnswer,
  sealRequest,
  sealTo,
  type CertRequestFields,
} from './index.js';

const vrsBox = x25519KeyPair(tweetnaclCrypto);
const kioskA = toBase64Url(generateIdentity(tweetnaclCrypto).publicKey);
const kioskB = toBase64Url(generateIdentity(tweetnaclCrypto).publicKey);

const CANARY = 'CANARY-試験太郎';
function fields(kioskId: string): CertRequestFields {
  return {
    requestId: newRequestId(nodeCrypto),
    kioskId,
    municipality: '131016',
    certType: 'domestic',
    copies: 1,
    card: {
      myNumberEf: toBase64Url(new TextEncoder().encode(CANARY)),
      basic4Ef: 'AAAA',
      signatureEf: 'AAAA',
      certificateEf: 'AAAA',
    },
  };
}
const noRecord: CertAnswerBody = { outcome: 'no-record' };

function roundTrip(kioskId: string) {
  const req = fields(kioskId);
  const { sealed, replyKey } = sealRequest({
    vrsBoxPublicKey: vrsBox.publicKey,
    request: req,
    crypto: nodeCrypto,
  });
  const opened = openRequest({ sealed, vrsBoxSecretKey: vrsBox.secretKey, crypto: nodeCrypto });
  if (!opened.ok) throw new Error(opened.code);
  const answer = sealAnswer({
    request: opened.request,
    sealedRequest: sealed,
    body: noRecord,
    crypto: nodeCrypto,
  });
  return { req, sealed, replyKey, answer, request: opened.request };
}

describe('end-to-end envelopes', () => {
  it('kiosk → VRS → kiosk round trip', () => {
    const t = roundTrip(kioskA);
    expect(t.request.card!.myNumberEf).toBe(t.req.card!.myNumberEf);
    const r = openAnswer({
      sealed: t.answer,
      replyKey: t.replyKey,
      requestId: t.req.requestId,
      kioskId: kioskA,
      sealedRequest: t.sealed,
      crypto: nodeCrypto,
    });
    expect(r).toEqual({ ok: true, answer: noRecord });
    expect(t.replyKey.secretKey.every((b) => b === 0)).toBe(true);
  });

  it('the relay (no VRS key) cannot open a request, and the bytes hide the plaintext', () => {
    const t = roundTrip(kioskA);
    const relayKey = x25519KeyPair(nodeCrypto);
    expect(
      openRequest({ sealed: t.sealed, vrsBoxSecretKey: relayKey.secretKey, crypto: nodeCrypto }),
    ).toEqual({ ok: false, code: 'ENVELOPE_AUTH_FAILED' });
    expect(new TextDecoder().decode(t.sealed)).not.toContain('CANARY');
  });

  it('an answer delivered to another kiosk does not open there', () => {
    const a = roundTrip(kioskA);
    const b = roundTrip(kioskB);
    const r = openAnswer({
      sealed: a.answer,
      replyKey: b.replyKey,
      requestId: b.req.requestId,
      kioskId: kioskB,
      sealedRequest: b.sealed,
      crypto: nodeCrypto,
    });
    expect(r).toEqual({ ok: false, code: 'ENVELOPE_AUTH_FAILED' });
  });

  it('an answer delivered to another request fails its binding check', () => {
    const a = roundTrip(kioskA);
    // Same reply key, but the kiosk expects another request id / another sealed request.
    const other = fields(kioskA);
    const r = openAnswer({
      sealed: a.answer,
      replyKey: a.replyKey,
      requestId: other.requestId,
      kioskId: kioskA,
      sealedRequest: a.sealed,
      crypto: nodeCrypto,
    });
    expect(r).toEqual({ ok: false, code: 'ENVELOPE_BINDING_MISMATCH' });
  });

  it('an answer bound to another sealed request (a swapped answer at VRS) fails its binding check', () => {
    const a = roundTrip(kioskA);
    const second = sealRequest({ vrsBoxPublicKey: vrsBox.publicKey, request: a.req, crypto: nodeCrypto });
    const answer = sealAnswer({
      request: a.request,
      sealedRequest: second.sealed,
      body: noRecord,
      crypto: nodeCrypto,
    });
    const r = openAnswer({
      sealed: answer,
      replyKey: a.replyKey,
      requestId: a.req.requestId,
      kioskId: kioskA,
      sealedRequest: a.sealed,
      crypto: nodeCrypto,
    });
    expect(r).toEqual({ ok: false, code: 'ENVELOPE_BINDING_MISMATCH' });
  });

  it('flip any byte of a sealed request or answer: it does not open', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (pos, x, which) => {
        const t = roundTrip(kioskA);
        if (which) {
          const bad = t.sealed.slice();
          bad[pos % bad.length]! ^= x;
          expect(openRequest({ sealed: bad, vrsBoxSecretKey: vrsBox.secretKey, crypto: nodeCrypto }).ok).toBe(
            false,
          );
        } else {
          const bad = t.answer.slice();
          bad[pos % bad.length]! ^= x;
          const r = openAnswer({
            sealed: bad,
            replyKey: t.replyKey,
            requestId: t.req.requestId,
            kioskId: kioskA,
            sealedRequest: t.sealed,
            crypto: nodeCrypto,
          });
          expect(r.ok).toBe(false);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('is byte-compatible with nacl.box both ways', () => {
    const recipient = nacl.box.keyPair();
    const sealed = sealTo(nodeCrypto, recipient.publicKey, new TextEncoder().encode('hi'));
    const opened = nacl.box.open(
      sealed.subarray(57),
      sealed.subarray(33, 57),
      sealed.subarray(1, 33),
      recipient.secretKey,
    );
    expect(opened && new TextDecoder().decode(opened)).toBe('hi');
    const eph = nacl.box.keyPair();
    const nonce = nacl.randomBytes(24);
    const box = nacl.box(new TextEncoder().encode('yo'), nonce, recipient.publicKey, eph.secretKey);
    const ours = new Uint8Array([1, ...eph.publicKey, ...nonce, ...box]);
    const r = openSealed(nodeCrypto, recipient.secretKey, ours);
    expect(r.ok && new TextDecoder().decode(r.plaintext)).toBe('yo');
  });
});
