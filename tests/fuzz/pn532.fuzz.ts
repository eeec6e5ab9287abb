import fc from 'fast-check';
import { FrameDecoder, type DecodedFrame } from '../../kiosk/drivers/pn532/decoder.js';
import {
  ACK_FRAME,
  NACK_FRAME,
  TFI_HOST,
  TFI_PN532,
  encodeInfoFrame,
} from '../../kiosk/drivers/pn532/frame.js';
import { parseBasic4Ef, readTlvList, verifyCardData } from '../../protocol/card-data.js';
import { SimCard } from '../../hardware-sim/reader/card.js';
import { testCardFiles, testCardIssuerVerify } from '../../hardware-sim/reader/testing/card-files.js';

/**
 * Long fuzzing of the card-reader parsers: the PN532 frame decoder (chunked frame streams with noise), the
 * card-data TLV parsers and verifyCardData (bytes from a card are untrusted), and the simulated card's APDU
 * handler. `FUZZ_RUNS` sets inputs per target (default 100,000). Properties: nothing throws; valid frames in
 * any chunking decode exactly; noise followed by a flushed decoder never hides the next frame.
 */
const runs = Number(process.env['FUZZ_RUNS'] ?? 100_000);

const files = testCardFiles();
/** The issuer the files were signed by, as a verifier would build it (see testing/card-files.ts). */
const issuer = { verify: testCardIssuerVerify };

const frameArb = fc.oneof(
  fc.constant({ bytes: ACK_FRAME, expect: { type: 'ack' } as DecodedFrame }),
  fc.constant({ bytes: NACK_FRAME, expect: { type: 'nack' } as DecodedFrame }),
  fc
    .tuple(fc.constantFrom(TFI_HOST, TFI_PN532), fc.uint8Array({ minLength: 1, maxLength: 264 }))
    .map(([tfi, data]) => ({
      bytes: encodeInfoFrame(tfi, data),
      expect: { type: 'info', tfi, data, extended: data.length > 254 } as DecodedFrame,
    })),
);

function decodeChunked(bytes: Uint8Array, cuts: number[], d = new FrameDecoder()): DecodedFrame[] {
  const pts = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: DecodedFrame[] = [];
  let prev = 0;
  for (const p of [...pts, bytes.length]) {
    out.push(...d.push(bytes.subarray(prev, p)));
    prev = p;
  }
  return out;
}

const targets: { name: string; run: () => void }[] = [
  {
    name: 'frame streams in any chunking decode exactly',
    run: () =>
      fc.assert(
        fc.property(
          fc.array(frameArb, { minLength: 1, maxLength: 6 }),
          fc.array(fc.nat(), { maxLength: 20 }),
          (frames, cuts) => {
            const bytes = new Uint8Array(frames.flatMap((f) => [...f.bytes]));
            const got = decodeChunked(bytes, cuts);
            if (JSON.stringify(got) !== JSON.stringify(frames.map((f) => f.expect)))
              throw new Error('mismatch');
          },
        ),
        { numRuns: runs },
      ),
  },
  {
    name: 'random bytes never throw; after reset the next frame decodes',
    run: () =>
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 600 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (noise, cuts) => {
            const d = new FrameDecoder();
            decodeChunked(noise, cuts, d);
            d.reset();
            const f = d.push(encodeInfoFrame(TFI_PN532, Uint8Array.of(0x4b, 0x00)));
            if (f.length !== 1 || f[0]?.type !== 'info') throw new Error('lost the frame after reset');
          },
        ),
        { numRuns: runs },
      ),
  },
  {
    name: 'card data: verifyCardData never throws and never accepts altered files',
    run: () =>
      fc.assert(
        fc.property(
          fc.constantFrom('myNumberEf', 'basic4Ef', 'signatureEf' as const),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
          (k, flips) => {
            const copy = Uint8Array.from(files[k as keyof typeof files]);
            for (const [pos, x] of flips) copy[pos % copy.length] = copy[pos % copy.length]! ^ x;
            const changed = copy.some((b, i) => b !== files[k as keyof typeof files][i]);
            const r = verifyCardData({ ...files, [k]: copy, issuer });
            if (changed && r.ok) throw new Error('altered card data accepted');
          },
        ),
        { numRuns: Math.ceil(runs / 20) }, // an RSA-2048 verification each,
      ),
  },
  {
    name: 'TLV parsers never throw on arbitrary bytes',
    run: () =>
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 700 }), (b) => {
          readTlvList(b);
          parseBasic4Ef(b);
          verifyCardData({
            myNumberEf: b,
            basic4Ef: b,
            signatureEf: b,
            issuer,
          });
        }),
        { numRuns: runs },
      ),
  },
  {
    name: 'the simulated card answers any APDU sequence with a status word',
    run: () =>
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { maxLength: 8 }), (apdus) => {
          let tries = 3;
          const card = new SimCard({
            residentId: 'x',
            files,
            pin: '1234',
            hasAp: true,
            counter: { get: () => tries, set: (n) => (tries = n) },
          });
          card.transmit(
            Uint8Array.of(
              0x00,
              0xa4,
              0x04,
              0x0c,
              0x0a,
              0xd3,
              0x92,
              0x10,
              0x00,
              0x31,
              0x00,
              0x01,
              0x01,
              0x04,
              0x08,
            ),
          );
          for (const a of apdus) if (card.transmit(a).length < 2) throw new Error('no status word');
          if (tries < 0 || tries > 3) throw new Error('counter out of range');
        }),
        { numRuns: Math.ceil(runs / 4) },
      ),
  },
];

for (const t of targets) {
  const start = performance.now();
  t.run();
  console.log(`${t.name}: ok (${((performance.now() - start) / 1000).toFixed(1)} s)`);
}
