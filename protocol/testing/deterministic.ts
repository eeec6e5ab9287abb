import { concatBytes, u64be, utf8 } from '../bytes.js';
import type { CryptoProvider } from '../crypto.js';

/**
 * A provider whose randomness is a deterministic SHA-512 stream from `seed`: for test vectors only.
 * Everything else is the wrapped provider's, so vectors made with it prove providers agree.
 */
export function deterministicCrypto(base: CryptoProvider, seed: string): CryptoProvider {
  let counter = 0;
  const seedBytes = utf8(seed);
  return {
    ...base,
    name: `${base.name}+deterministic`,
    randomBytes(length: number) {
      const out = new Uint8Array(length);
      let o = 0;
      while (o < length) {
        const block = base.sha512(concatBytes(seedBytes, u64be(counter++)));
        const n = Math.min(block.length, length - o);
        out.set(block.subarray(0, n), o);
        o += n;
      }
      return out;
    },
  };
}
