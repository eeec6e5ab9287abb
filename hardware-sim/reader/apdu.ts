/** ISO/IEC 7816-4 status words and the 券面事項入力補助AP identifiers (the JPKI-AP's are in protocol/card-data/jpki.ts) the simulated card uses (docs/reference.md §3.2). */
export const SW = {
  OK: 0x9000,
  WRONG_LENGTH: 0x6700,
  INCOMPATIBLE_FILE: 0x6981,
  SECURITY_NOT_SATISFIED: 0x6982,
  AUTH_BLOCKED: 0x6983,
  REF_DATA_NOT_USABLE: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  NO_CURRENT_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

export const KENHOJO_AID = Uint8Array.of(0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08);

export const FID = {
  myNumber: 0x0001,
  basic4: 0x0002,
  signature: 0x0003,
  certificate: 0x0004,
  pin: 0x0011,
} as const;

export function withSw(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

export const swOnly = (sw: number): Uint8Array => Uint8Array.of(sw >> 8, sw & 0xff);

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
