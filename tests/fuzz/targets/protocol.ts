import fc from 'fast-check';
import { nodeCrypto } from '../../../common/crypto-node.js';
import { previewOf } from '../../../kiosk/core/devices/preview.js';
import { createTestIssuer, sampleAnswer } from '../../../kiosk/core/certificate/testing/fixtures.js';
import {
  acceptHello,
  bytesEqual,
  ChannelSession,
  createInitiator,
  fromBase64Url,
  identityFromSeed,
  keyId,
  MAX_FRAME_BYTES,
  newRequestId,
  openAnswer,
  requestHash,
  sealRequest,
  sealTo,
  toBase64Url,
  utf8,
  x25519KeyPair,
  type CertAnswerBody,
} from '../../../protocol/index.js';
import { deterministicCrypto } from '../../../protocol/testing/deterministic.js';
import { anyJson, anyString, mutatedBytes, mutatedJson, mutatedText } from '../lib/arbitraries.js';
import { expect, target, type FuzzSuite } from '../lib/target.js';

const NOW = 1_760_000_000_000;
const HANDSHAKE_CODES = new Set([
  'CHANNEL_HANDSHAKE_FAILED',
  'CHANNEL_UNKNOWN_PEER',
  'PROTOCOL_UNSUPPORTED_VERSION',
  'CHANNEL_AUTH_FAILED',
  'CHANNEL_REPLAY',
  'CHANNEL_FRAME_TOO_LARGE',
  'CHANNEL_CLOSED',
]);
const ANSWER_CODES = new Set([
  'ENVELOPE_AUTH_FAILED',
  'ENVELOPE_BINDING_MISMATCH',
  'PROTOCOL_MALFORMED',
  'PROTOCOL_UNSUPPORTED_VERSION',
]);

/** Frames fed to one fresh receiving session, in order. */
type FrameInput = { valid: number } | { bytes: Uint8Array } | { oversize: number };

/**
 * The kiosk's side of the channel and the envelope: the initiator's parsing of the relay's
 * `x-channel-response`, `ChannelSession.open` on incoming frames, and `openAnswer` with the answer body
 * the kiosk then shows and prints.
 */
export const protocolSuite: FuzzSuite = {
  name: 'protocol',
  ids: ['channel-response', 'channel-open', 'answer-envelope', 'answer-body'],
  async open() {
    const kiosk = identityFromSeed(new Uint8Array(32).fill(1), nodeCrypto);
    const relay = identityFromSeed(new Uint8Array(32).fill(2), nodeCrypto);
    const impostor = identityFromSeed(new Uint8Array(32).fill(3), nodeCrypto);
    // Same randomness every time: every initiator sends the same hello, so one relay answer stays valid.
    const initiator = () =>
      createInitiator({
        identity: kiosk,
        peerPublicKey: relay.publicKey,
        crypto: deterministicCrypto(nodeCrypto, 'fuzz-initiator'),
        now: () => NOW,
      });
    const answer = async (responder: typeof relay) => {
      const r = await acceptHello(initiator().hello, {
        identity: responder,
        crypto: nodeCrypto,
        isKnownPeer: () => true,
        now: () => NOW,
      });
      if (!r.ok) throw new Error(r.code);
      return r.response;
    };
    const validResponse = await answer(relay);
    const validBytes = fromBase64Url(validResponse)!;
    const impostorResponse = await answer(impostor);

    // A channel: the relay seals four frames; each input opens some frames on a fresh kiosk session.
    const i2r = new Uint8Array(32).fill(4);
    const r2i = new Uint8Array(32).fill(5);
    const sender = new ChannelSession({
      peerPublicKey: kiosk.publicKey,
      sendKey: r2i.slice(),
      recvKey: i2r.slice(),
      isInitiator: false,
    });
    const plaintexts = ['{"v":1,"type":"heartbeat.ack","seq":0}', '', 'x'.repeat(300), '{}'].map(utf8);
    const frames = plaintexts.map((p) => sender.seal(p));

    // An issued answer, bound to one sealed request of this kiosk.
    const kioskId = keyId(kiosk.publicKey);
    const vrsBox = x25519KeyPair(nodeCrypto);
    const requestId = newRequestId(nodeCrypto);
    const { sealed: sealedRequest, replyKey } = sealRequest({
      vrsBoxPublicKey: vrsBox.publicKey,
      request: {
        requestId,
        kioskId,
        municipality: '131016',
        certType: 'overseas',
        copies: 1,
        card: { myNumberEf: 'AAAA', basic4Ef: 'AAAA', signatureEf: 'AAAA', certificateEf: 'AAAA' },
      },
      crypto: nodeCrypto,
    });
    const binding = { requestId, kioskId, requestHash: requestHash(nodeCrypto, sealedRequest) };
    const issuer = await createTestIssuer();
    const bodies: CertAnswerBody[] = [
      await sampleAnswer(issuer, { certType: 'overseas', doses: 3 }),
      await sampleAnswer(issuer, { certType: 'domestic', doses: 1 }),
      { outcome: 'no-record' },
      { outcome: 'refused', code: 'VRS_CARD_FORGED' },
    ];
    const answers = bodies.map((body) => ({ v: 1, type: 'cert.answer', binding, body }));
    const sealedAnswer = sealTo(nodeCrypto, replyKey.publicKey, utf8(JSON.stringify(answers[0])));
    const open = (sealed: Uint8Array) =>
      openAnswer({
        sealed,
        replyKey: { publicKey: replyKey.publicKey, secretKey: replyKey.secretKey.slice() },
        requestId,
        kioskId,
        sealedRequest,
        crypto: nodeCrypto,
      });

    return {
      async close() {},
      targets: [
        target<string>({
          id: 'channel-response',
          title:
            'Initiator.accept(x-channel-response): a handshake code, or a session only for the pinned relay answer',
          testRuns: 2000,
          arb: fc.oneof(
            anyString(300),
            fc.uint8Array({ maxLength: 300 }).map(toBase64Url),
            fc.uint8Array({ minLength: 144, maxLength: 144 }).map((b) => toBase64Url(Uint8Array.of(1, ...b))),
            mutatedBytes(fc.constant(validBytes)).map(toBase64Url),
            mutatedText(fc.constant(validResponse)),
            fc.constantFrom(validResponse, impostorResponse, validResponse + '=', ` ${validResponse}`),
          ),
          check(response) {
            const init = initiator();
            const r = init.accept(response);
            if (r.ok) {
              expect(
                bytesEqual(fromBase64Url(response) ?? new Uint8Array(), validBytes),
                'accepted a response the relay did not make',
              );
              expect(r.finished instanceof Uint8Array, 'no finished frame');
            } else expect(HANDSHAKE_CODES.has(r.code), `undocumented code ${String(r.code)}`);
            const again = init.accept(validResponse);
            expect(!again.ok && again.code === 'CHANNEL_CLOSED', 'a second accept was not refused');
          },
        }),
        target<FrameInput[]>({
          id: 'channel-open',
          title:
            'ChannelSession.open: exactly the next authentic frame opens; anything else is coded and closes',
          testRuns: 2000,
          arb: fc.array(
            fc.oneof(
              { weight: 3, arbitrary: fc.nat(frames.length - 1).map((n) => ({ valid: n })) },
              { weight: 3, arbitrary: mutatedBytes(fc.constantFrom(...frames)).map((bytes) => ({ bytes })) },
              { weight: 2, arbitrary: fc.uint8Array({ maxLength: 120 }).map((bytes) => ({ bytes })) },
              {
                weight: 1,
                arbitrary: fc
                  .integer({ min: MAX_FRAME_BYTES - 2, max: MAX_FRAME_BYTES + 2 })
                  .map((oversize) => ({ oversize })),
              },
            ),
            { minLength: 1, maxLength: 6 },
          ),
          check(input) {
            const s = new ChannelSession({
              peerPublicKey: relay.publicKey,
              sendKey: i2r.slice(),
              recvKey: r2i.slice(),
              isInitiator: true,
            });
            let next = 0;
            let closed = false;
            for (const f of input) {
              const bytes =
                'valid' in f ? frames[f.valid]! : 'bytes' in f ? f.bytes : new Uint8Array(f.oversize);
              const r = s.open(bytes);
              const which = frames.findIndex((v) => bytesEqual(v, bytes));
              let want: string;
              if (closed) want = 'CHANNEL_CLOSED';
              else if (which >= 0 && which === next) want = 'ok';
              else if (bytes.length > MAX_FRAME_BYTES) want = 'CHANNEL_FRAME_TOO_LARGE';
              else if (which >= 0) want = 'CHANNEL_REPLAY';
              else want = 'CHANNEL_AUTH_FAILED';
              const got = r.ok ? 'ok' : r.code;
              expect(got === want, `frame ${JSON.stringify(f).slice(0, 80)}: ${got}, expected ${want}`);
              if (r.ok) {
                expect(bytesEqual(r.plaintext, plaintexts[next]!), 'wrong plaintext');
                next++;
              } else closed = true;
              expect(s.closed === closed, 'session closed state wrong');
            }
          },
        }),
        target<Uint8Array>({
          id: 'answer-envelope',
          title:
            'openAnswer(sealed bytes): opens only the sealed answer; anything else is ENVELOPE_*/PROTOCOL_*',
          testRuns: 1000,
          arb: fc.oneof(
            fc.uint8Array({ maxLength: 200 }),
            mutatedBytes(fc.constant(sealedAnswer)),
            fc.constant(sealedAnswer),
          ),
          check(sealed) {
            const r = open(sealed);
            if (r.ok) expect(bytesEqual(sealed, sealedAnswer), 'an altered answer opened');
            else expect(ANSWER_CODES.has(r.code), `undocumented code ${r.code}`);
          },
        }),
        target<unknown>({
          id: 'answer-body',
          title:
            'openAnswer(authentic sealing of any plaintext): the bound answer, or a code; the preview never throws',
          testRuns: 1000,
          arb: fc.oneof(
            { weight: 1, arbitrary: fc.constantFrom(...answers) },
            { weight: 6, arbitrary: mutatedJson(fc.constantFrom(...answers)) },
            { weight: 2, arbitrary: mutatedText(fc.constantFrom(...answers).map((a) => JSON.stringify(a))) },
            { weight: 1, arbitrary: anyJson() },
          ),
          check(plain) {
            const text = typeof plain === 'string' ? plain : (JSON.stringify(plain) ?? 'null');
            const r = open(sealTo(nodeCrypto, replyKey.publicKey, utf8(text)));
            if (!r.ok) {
              expect(ANSWER_CODES.has(r.code) && r.code !== 'ENVELOPE_AUTH_FAILED', `code ${r.code}`);
              return;
            }
            // Extra keys are dropped by the schema; the three bound fields must be exactly this request's.
            const b = (JSON.parse(text) as { binding: Record<string, unknown> }).binding;
            expect(
              b.requestId === binding.requestId &&
                b.kioskId === binding.kioskId &&
                b.requestHash === binding.requestHash,
              'an answer bound elsewhere was accepted',
            );
            if (r.answer.outcome === 'issued') {
              const p = previewOf(r.answer);
              expect(p.doses.length === r.answer.doses.length, 'preview lost doses');
            }
          },
        }),
      ],
    };
  },
};
