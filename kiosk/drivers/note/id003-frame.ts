/**
 * JCM ID-003 framing (ID-003 Communication Specification, "Format of sending/receiving message"):
 * `SYNC (FCh) | LNG | CMD | DATA … | CRC-L | CRC-H`. LNG counts the whole message, SYNC and CRC included
 * (5 for a message without data). The CRC is CRC-16/CCITT in its reflected form (polynomial 1021h
 * reflected as 8408h, initial value 0, no final XOR, "CRC-16/KERMIT"), computed over SYNC…DATA and sent
 * low byte first. The specification's status request is `FC 05 11 27 56`; the controller's ACK is
 * `FC 05 50 AA 05`. Pure code, no I/O.
 */

export const SYNC = 0xfc;
/** Smallest message: SYNC, LNG, CMD and two CRC bytes. */
export const MIN_LENGTH = 5;
/** LNG is one byte. */
export const MAX_LENGTH = 255;

/** Controller → acceptor. */
export const COMMAND = {
  statusRequest: 0x11,
  ack: 0x50,
  reset: 0x40,
  stack1: 0x41,
  stack2: 0x42,
  return: 0x43,
  hold: 0x44,
  wait: 0x45,
  /** Setting commands; the acceptor echoes command and data when it took them. */
  setEnableDenomination: 0xc0,
  setSecurity: 0xc1,
  setCommunicationMode: 0xc2,
  setInhibit: 0xc3,
  /** Setting status requests (80h + the setting's low bits). */
  requestInhibit: 0x83,
  requestVersion: 0x88,
  requestCurrencyAssign: 0x8a,
} as const;

/** Acceptor → controller: status answers to a status request, and the answers to commands. */
export const STATUS = {
  idling: 0x11,
  accepting: 0x12,
  /** Data: one escrow code (61h…68h), a denomination assigned by the currency table. */
  escrow: 0x13,
  stacking: 0x14,
  /** The note passed the point of no return: credit it, answer ACK. */
  vendValid: 0x15,
  stacked: 0x16,
  /** Data: one reject reason. */
  rejecting: 0x17,
  returning: 0x18,
  holding: 0x19,
  /** Inhibited by the controller (SET INHIBIT 01h). */
  disabled: 0x1a,
  initialize: 0x1b,
  powerUp: 0x40,
  powerUpBillInAcceptor: 0x41,
  powerUpBillInStacker: 0x42,
  stackerFull: 0x43,
  stackerOpen: 0x44,
  jamInAcceptor: 0x45,
  jamInStacker: 0x46,
  pause: 0x47,
  cheated: 0x48,
  /** Data: one failure code. */
  failure: 0x49,
  communicationError: 0x4a,
  invalidCommand: 0x4b,
  /** The acceptor's answer to an operation command. */
  ack: 0x50,
} as const;

export interface Id003Message {
  cmd: number;
  data: Uint8Array;
}

/** CRC-16/KERMIT: reflected CCITT polynomial, initial 0. */
export function crc16(bytes: Uint8Array | readonly number[]): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

export function encodeMessage(cmd: number, data: Uint8Array | readonly number[] = []): Uint8Array {
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 255) throw new TypeError('cmd: 0–255 expected');
  const lng = MIN_LENGTH + data.length;
  if (lng > MAX_LENGTH) throw new TypeError(`data: at most ${MAX_LENGTH - MIN_LENGTH} bytes`);
  const out = new Uint8Array(lng);
  out[0] = SYNC;
  out[1] = lng;
  out[2] = cmd;
  out.set(data, 3);
  const crc = crc16(out.subarray(0, lng - 2));
  out[lng - 2] = crc & 0xff;
  out[lng - 1] = crc >>> 8;
  return out;
}

export type Id003DecodeResult = { ok: true; message: Id003Message } | { ok: false; code: 'NOTE_BAD_FRAME' };

/**
 * Incremental decoder fed arbitrary chunks. Bytes before a SYNC are skipped; a message whose LNG is
 * impossible or whose CRC fails costs its SYNC byte (reported once as `NOTE_BAD_FRAME`) and the decoder
 * looks for the next SYNC. `reset()` drops a partial message (the bus does so before each command).
 */
export class Id003Decoder {
  #buf: number[] = [];

  reset(): void {
    this.#buf = [];
  }

  push(chunk: Uint8Array): Id003DecodeResult[] {
    this.#buf.push(...chunk);
    const out: Id003DecodeResult[] = [];
    for (;;) {
      const start = this.#buf.indexOf(SYNC);
      if (start < 0) {
        this.#buf = [];
        break;
      }
      if (start > 0) this.#buf.splice(0, start);
      if (this.#buf.length < 2) break;
      const lng = this.#buf[1]!;
      if (lng < MIN_LENGTH) {
        out.push({ ok: false, code: 'NOTE_BAD_FRAME' });
        this.#buf.shift();
        continue;
      }
      if (this.#buf.length < lng) break;
      const bytes = this.#buf.slice(0, lng);
      const crc = crc16(bytes.slice(0, lng - 2));
      if ((crc & 0xff) !== bytes[lng - 2] || crc >>> 8 !== bytes[lng - 1]) {
        out.push({ ok: false, code: 'NOTE_BAD_FRAME' });
        this.#buf.shift();
        continue;
      }
      this.#buf.splice(0, lng);
      out.push({ ok: true, message: { cmd: bytes[2]!, data: new Uint8Array(bytes.slice(3, lng - 2)) } });
    }
    return out;
  }
}

/**
 * The currency-assign answer (`8Ah` then 4 bytes per escrow code: escrow code, country code, base value,
 * exponent; value = base × 10^exponent). Returns escrow code → yen. The country byte is not checked here
 * (the validator's currency is fixed when it is ordered); a value of 0 is skipped.
 */
export function parseCurrencyAssign(data: Uint8Array): Map<number, number> | undefined {
  if (data.length === 0 || data.length % 4 !== 0) return undefined;
  const map = new Map<number, number>();
  for (let i = 0; i < data.length; i += 4) {
    const code = data[i]!;
    const value = data[i + 2]! * 10 ** data[i + 3]!;
    if (value > 0 && code >= 0x61 && code <= 0x68) map.set(code, value);
  }
  return map;
}
