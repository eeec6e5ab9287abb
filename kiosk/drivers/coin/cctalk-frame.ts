/**
 * ccTalk framing (ccTalk Generic Specification, part 1): `[destination] [data length] [source] [header]
 * [data …] [checksum]`, where the simple checksum makes all bytes sum to 0 modulo 256. Pure code, no I/O.
 */
export interface CcTalkFrame {
  dest: number;
  src: number;
  header: number;
  data: Uint8Array;
}

/** Host address and the addresses this kiosk uses. */
export const ADDRESS = { host: 1, coinAcceptor: 2, hopper: 3, hopper50: 4, hopper100: 5 } as const;

/** Headers used by the kiosk (reply header 0 = ACK, 5 = NAK). */
export const HEADER = {
  ack: 0,
  nak: 5,
  resetDevice: 1,
  simplePoll: 254,
  requestManufacturerId: 246,
  requestEquipmentCategory: 245,
  requestSerialNumber: 242,
  requestCoinId: 184,
  readBufferedCredit: 229,
  modifyInhibitStatus: 231,
  requestInhibitStatus: 230,
  modifyMasterInhibit: 228,
  requestMasterInhibit: 227,
  requestPayoutHighLowStatus: 217,
  requestHopperStatus: 166,
  dispenseHopperCoins: 167,
  enableHopper: 164,
  testHopper: 163,
  emergencyStop: 172,
} as const;

export const MAX_DATA = 252;

function check(name: string, v: unknown, max = 255): asserts v is number {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max)
    throw new TypeError(`${name}: 0–${max} expected`);
}

/** Sum of all bytes modulo 256 must be 0. */
export function simpleChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (256 - sum) & 0xff;
}

export function encodeFrame(frame: {
  dest: number;
  src: number;
  header: number;
  data?: Uint8Array | readonly number[];
}): Uint8Array {
  check('dest', frame.dest);
  check('src', frame.src);
  check('header', frame.header);
  const data = frame.data ?? [];
  if (data.length > MAX_DATA) throw new TypeError(`data: at most ${MAX_DATA} bytes`);
  const out = new Uint8Array(5 + data.length);
  out[0] = frame.dest;
  out[1] = data.length;
  out[2] = frame.src;
  out[3] = frame.header;
  out.set(data, 4);
  out[out.length - 1] = simpleChecksum(out.subarray(0, out.length - 1));
  return out;
}

export type DecodeResult = { ok: true; frame: CcTalkFrame } | { ok: false; code: 'COIN_BAD_FRAME' };

/**
 * Incremental decoder fed arbitrary chunks. A frame whose checksum fails costs one byte: the decoder
 * drops the first byte and looks for a frame again (resynchronisation), reporting `COIN_BAD_FRAME` once
 * per bad start. `reset()` drops a partial frame (after an inter-byte timeout).
 */
export class CcTalkDecoder {
  #buf: number[] = [];

  reset(): void {
    this.#buf = [];
  }

  get pending(): number {
    return this.#buf.length;
  }

  push(chunk: Uint8Array): DecodeResult[] {
    this.#buf.push(...chunk);
    const out: DecodeResult[] = [];
    while (this.#buf.length >= 5) {
      const len = this.#buf[1]!;
      const total = 5 + len;
      if (this.#buf.length < total) break;
      const bytes = new Uint8Array(this.#buf.slice(0, total));
      if (simpleChecksum(bytes) !== 0) {
        out.push({ ok: false, code: 'COIN_BAD_FRAME' });
        this.#buf.shift();
        continue;
      }
      this.#buf.splice(0, total);
      out.push({
        ok: true,
        frame: { dest: bytes[0]!, src: bytes[2]!, header: bytes[3]!, data: bytes.slice(4, total - 1) },
      });
    }
    return out;
  }
}
