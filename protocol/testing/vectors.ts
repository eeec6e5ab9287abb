import { toBase64Url, utf8 } from '../bytes.js';
import type { CryptoProvider } from '../crypto.js';
import { createInitiator, acceptHello } from '../channel/index.js';
import { identityFromSeed } from '../identity.js';
import { sealRequest, sealAnswer, openRequest } from '../envelope/index.js';
import { deterministicCrypto } from './deterministic.js';

/** Fixed clock for vectors: 2026-01-01T00:00:00Z. */
export const VECTOR_TIME = Date.UTC(2026, 0, 1);

export interface ProtocolVectors {
  description: string;
  identities: {
    kioskSeed: string;
    kioskPublicKey: string;
    relaySeed: string;
    relayPublicKey: string;
    vrsBoxSecretKey: string;
    vrsBoxPublicKey: string;
  };
  handshake: { hello: string; response: string; finished: string };
  frames: {
    initiatorToResponder: { plaintext: string; frame: string }[];
    responderToInitiator: { plaintext: string; frame: string }[];
  };
  envelope: {
    requestPlaintext: string;
    sealedRequest: string;
    sealedAnswer: string;
    answerPlaintextBody: string;
  };
}

/**
 * Builds the protocol's vectors from fixed seeds with a given provider. The committed JSON was made by
 * tweetnacl; the tests rebuild it with tweetnacl and with node:crypto and require identical bytes.
 */
export async function buildVectors(base: CryptoProvider): Promise<ProtocolVectors> {
  const kioskCrypto = deterministicCrypto(base, 'vectors/kiosk');
  const relayCrypto = deterministicCrypto(base, 'vectors/relay');
  const vrsCrypto = deterministicCrypto(base, 'vectors/vrs');
  const kiosk = identityFromSeed(deterministicCrypto(base, 'seed/kiosk').randomBytes(32), base);
  const relay = identityFromSeed(deterministicCrypto(base, 'seed/relay').randomBytes(32), base);
  const vrsBoxSecretKey = deterministicCrypto(base, 'seed/vrs-box').randomBytes(32);
  const vrsBoxPublicKey = base.x25519PublicKey(vrsBoxSecretKey);
  const now = () => VECTOR_TIME;

  const init = createInitiator({ identity: kiosk, peerPublicKey: relay.publicKey, crypto: kioskCrypto, now });
  const accepted = await acceptHello(init.hello, {
    identity: relay,
    crypto: relayCrypto,
    isKnownPeer: () => true,
    now,
  });
  if (!accepted.ok) throw new Error(`vector handshake failed: ${accepted.code}`);
  const done = init.accept(accepted.response);
  if (!done.ok) throw new Error(`vector handshake failed: ${done.code}`);
  const completed = accepted.pending.complete(done.finished);
  if (!completed.ok) throw new Error(`vector handshake failed: ${completed.code}`);
  const kioskSession = done.session;
  const relaySession = completed.session;

  const i2r = ['heartbeat', 'issue.request', ''].map((p) => {
    const plaintext = utf8(p);
    return { plaintext: toBase64Url(plaintext), frame: toBase64Url(kioskSession.seal(plaintext)) };
  });
  const r2i = ['heartbeat.ack', 'x'.repeat(300)].map((p) => {
    const plaintext = utf8(p);
    return { plaintext: toBase64Url(plaintext), frame: toBase64Url(relaySession.seal(plaintext)) };
  });

  const { sealed } = sealRequest({
    vrsBoxPublicKey,
    crypto: kioskCrypto,
    request: {
      requestId: toBase64Url(new Uint8Array(16).fill(7)),
      kioskId: toBase64Url(kiosk.publicKey),
      municipality: '131016',
      certType: 'domestic',
      copies: 1,
      card: { myNumberEf: 'AAAA', basic4Ef: 'AAAA', signatureEf: 'AAAA', certificateEf: 'AAAA' },
    },
  });
  const opened = openRequest({ sealed, vrsBoxSecretKey, crypto: vrsCrypto });
  if (!opened.ok) throw new Error(`vector request did not open: ${opened.code}`);
  const body = { outcome: 'no-record' } as const;
  const sealedAnswer = sealAnswer({
    request: opened.request,
    sealedRequest: sealed,
    body,
    crypto: vrsCrypto,
  });
  return {
    description:
      'Protocol v1 vectors. Seeds are SHA-512 streams of fixed labels (protocol/testing/deterministic.ts); clock 2026-01-01T00:00:00Z. All byte strings are base64url.',
    identities: {
      kioskSeed: toBase64Url(kiosk.seed),
      kioskPublicKey: toBase64Url(kiosk.publicKey),
      relaySeed: toBase64Url(relay.seed),
      relayPublicKey: toBase64Url(relay.publicKey),
      vrsBoxSecretKey: toBase64Url(vrsBoxSecretKey),
      vrsBoxPublicKey: toBase64Url(vrsBoxPublicKey),
    },
    handshake: { hello: init.hello, response: accepted.response, finished: toBase64Url(done.finished) },
    frames: { initiatorToResponder: i2r, responderToInitiator: r2i },
    envelope: {
      requestPlaintext: JSON.stringify(opened.request),
      sealedRequest: toBase64Url(sealed),
      sealedAnswer: toBase64Url(sealedAnswer),
      answerPlaintextBody: JSON.stringify(body),
    },
  };
}
