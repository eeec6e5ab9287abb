/** Command APDUs of the 券面事項入力補助AP (docs/reference.md §3.3) and status-word helpers. */

/** 券面事項入力補助AP (KENHOJO): `D3 92 10 00 31 00 01 01 04 08`. */
export const KENHOJO_AID = Uint8Array.of(0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08);

export const EF = {
  myNumber: 0x0001,
  basic4: 0x0002,
  signature: 0x0003,
  certificate: 0x0004,
  pin: 0x0011,
} as const;

/** `00 A4 04 0C 0A <AID>`: SELECT DF by name, no FCI. */
export const selectAp = (): Uint8Array =>
  Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, KENHOJO_AID.length, ...KENHOJO_AID);

/** `00 A4 02 0C 02 <FID>`: SELECT EF. */
export const selectEf = (fid: number): Uint8Array =>
  Uint8Array.of(0x00, 0xa4, 0x02, 0x0c, 0x02, fid >> 8, fid & 0xff);

/** `00 20 00 80`: VERIFY without data, the retry-counter query (answers 63 Cx). */
export const verifyQuery = (): Uint8Array => Uint8Array.of(0x00, 0x20, 0x00, 0x80);

/** `00 20 00 80 Lc <PIN as ASCII digits>`. The caller zeroes the returned buffer after use. */
export function verify(pin: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + pin.length);
  out.set([0x00, 0x20, 0x00, 0x80, pin.length]);
  out.set(pin, 5);
  return out;
}

/** `00 B0 P1 P2 Le`: READ BINARY at a 15-bit offset, 1–255 bytes (chunks stay ≤ 255, docs/reference.md §3.5). */
export function readBinary(offset: number, le: number): Uint8Array {
  if (!Number.isInteger(offset) || offset < 0 || offset > 0x7fff) throw new RangeError('offset: 0…32767');
  if (!Number.isInteger(le) || le < 1 || le > 255) throw new RangeError('le: 1…255');
  return Uint8Array.of(0x00, 0xb0, offset >> 8, offset & 0xff, le);
}

/** Splits a response APDU into data and SW1SW2. */
export function splitResponse(response: Uint8Array): { data: Uint8Array; sw: number } {
  const n = response.length;
  return { data: response.subarray(0, n - 2), sw: (response[n - 2]! << 8) | response[n - 1]! };
}

/** `63 C0`, `69 83` (authentication method blocked), `69 84` (reference data not usable): the PIN is locked. */
export const isLockedSw = (sw: number): boolean => sw === 0x63c0 || sw === 0x6983 || sw === 0x6984;
