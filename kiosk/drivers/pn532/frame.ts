/**
 * PN532 host-interface frames (UM0701-02 §6.2; docs/reference.md §4.1), pure code with no I/O.
 *
 * Normal:   00 00 FF LEN LCS TFI PD0…PDn DCS 00       LEN = 1 + n+1 ≤ 255, LEN + LCS ≡ 0 (mod 256)
 * Extended: 00 00 FF FF FF LENm LENl LCS TFI PD… DCS 00  LCS = −(LENm + LENl)
 * ACK 00 00 FF 00 FF 00 · NACK 00 00 FF FF 00 00 · application error 00 00 FF 01 FF 7F 81 00
 * DCS = −(TFI + PD0 + … + PDn) (mod 256).
 */

export const TFI_HOST = 0xd4;
export const TFI_PN532 = 0xd5;
/** The TFI of the application-level error frame (`00 00 FF 01 FF 7F 81 00`). */
export const TFI_ERROR = 0x7f;

/** Largest PD0…PDn in a normal frame (LEN = 1 + 254 = 255). */
export const NORMAL_FRAME_DATA_MAX = 254;
/** Largest PD0…PDn in an extended frame (PN532 buffer: 265 bytes incl. TFI; libnfc's limit is 264). */
export const EXTENDED_FRAME_DATA_MAX = 264;

export const ACK_FRAME: Uint8Array = Uint8Array.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);
export const NACK_FRAME: Uint8Array = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00);
export const ERROR_FRAME: Uint8Array = Uint8Array.of(0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00);

/** libnfc's wake-up preamble for a PN532 in LowVbat (two 0x55 then fourteen 0x00), sent before SAMConfiguration. */
export const WAKE_UP: Uint8Array = Uint8Array.of(0x55, 0x55, ...new Array<number>(14).fill(0));

/** The data checksum: the byte that makes TFI + PD… + DCS ≡ 0 (mod 256). */
export function dataChecksum(tfi: number, data: Uint8Array): number {
  let sum = tfi;
  for (const b of data) sum += b;
  return (0x100 - (sum & 0xff)) & 0xff;
}

/**
 * Encodes an information frame. `data` is PD0…PDn (command code first). Normal form when it fits
 * (≤ 254 bytes), extended form up to 264 bytes, as libnfc does.
 *
 * @example
 * encodeInfoFrame(TFI_HOST, Uint8Array.of(0x02)); // 00 00 FF 02 FE D4 02 2A 00 (GetFirmwareVersion)
 */
export function encodeInfoFrame(tfi: number, data: Uint8Array): Uint8Array {
  if (!Number.isInteger(tfi) || tfi < 0 || tfi > 0xff) throw new TypeError('tfi: a byte is required');
  if (!(data instanceof Uint8Array)) throw new TypeError('data: a Uint8Array is required');
  if (data.length === 0) throw new RangeError('data: at least the command code is required');
  if (data.length > EXTENDED_FRAME_DATA_MAX)
    throw new RangeError(`data: at most ${EXTENDED_FRAME_DATA_MAX} bytes, got ${data.length}`);
  const len = data.length + 1;
  const dcs = dataChecksum(tfi, data);
  if (data.length <= NORMAL_FRAME_DATA_MAX) {
    const out = new Uint8Array(len + 7);
    out.set([0x00, 0x00, 0xff, len, (0x100 - len) & 0xff, tfi]);
    out.set(data, 6);
    out[6 + data.length] = dcs;
    out[7 + data.length] = 0x00;
    return out;
  }
  const hi = len >> 8;
  const lo = len & 0xff;
  const out = new Uint8Array(len + 10);
  out.set([0x00, 0x00, 0xff, 0xff, 0xff, hi, lo, (0x100 - ((hi + lo) & 0xff)) & 0xff, tfi]);
  out.set(data, 9);
  out[9 + data.length] = dcs;
  out[10 + data.length] = 0x00;
  return out;
}
