import { EXTENDED_FRAME_DATA_MAX, TFI_ERROR, TFI_HOST, TFI_PN532, dataChecksum } from './frame.js';

/** What the decoder recognised in the byte stream, in order. */
export type DecodedFrame =
  | { type: 'ack' }
  | { type: 'nack' }
  /** The application-level error frame `00 00 FF 01 FF 7F 81 00` (syntax error in the last command). */
  | { type: 'error' }
  | { type: 'info'; tfi: number; data: Uint8Array; extended: boolean }
  /** A frame whose header checked out but whose data checksum did not: the peer should be NACKed. */
  | { type: 'corrupt'; code: 'PN532_FRAME_BAD_DCS' };

/**
 * Incremental PN532 frame decoder: feed it bytes in any chunks, get frames out. Bytes that cannot start a
 * frame (wake-up `55`/`00` bytes, postambles, line noise) are skipped; a start code whose length checksum
 * or TFI does not check out is treated as noise and scanning resumes one byte later, so the decoder
 * resynchronises after garbage. A frame that is still incomplete stays buffered (call `reset()` after a
 * timeout, as libnfc flushes its input).
 */
export class FrameDecoder {
  #buf: Uint8Array = new Uint8Array(0);
  #skipped = 0;

  /** Bytes skipped as noise so far. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.#buf.length;
  }

  reset(): void {
    this.#buf = new Uint8Array(0);
  }

  push(chunk: Uint8Array): DecodedFrame[] {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('chunk: a Uint8Array is required');
    if (chunk.length > 0) {
      const next = new Uint8Array(this.#buf.length + chunk.length);
      next.set(this.#buf);
      next.set(chunk, this.#buf.length);
      this.#buf = next;
    }
    const out: DecodedFrame[] = [];
    let pos = 0;
    for (;;) {
      const r = this.#parseAt(pos);
      if (r.kind === 'need-more') break;
      if (r.kind === 'skip') {
        pos += 1;
        this.#skipped += 1;
        continue;
      }
      out.push(r.frame);
      pos = r.end;
    }
    this.#buf = this.#buf.slice(pos);
    return out;
  }

  #parseAt(
    pos: number,
  ): { kind: 'need-more' } | { kind: 'skip' } | { kind: 'frame'; frame: DecodedFrame; end: number } {
    const b = this.#buf;
    const at = (i: number): number | undefined => b[pos + i];
    const NEED = { kind: 'need-more' } as const;
    const SKIP = { kind: 'skip' } as const;
    // Start code 00 FF (the leading preamble 00 is consumed as noise when present).
    const s0 = at(0);
    if (s0 === undefined) return NEED;
    if (s0 !== 0x00) return SKIP;
    const s1 = at(1);
    if (s1 === undefined) return NEED;
    if (s1 !== 0xff) return SKIP;
    const l = at(2);
    const lcs = at(3);
    if (l === undefined || lcs === undefined) return NEED;
    if (l === 0x00 && lcs === 0xff)
      return { kind: 'frame', frame: { type: 'ack' }, end: pos + 4 + (at(4) === 0 ? 1 : 0) };
    if (l === 0xff && lcs === 0x00)
      return { kind: 'frame', frame: { type: 'nack' }, end: pos + 4 + (at(4) === 0 ? 1 : 0) };
    let len: number;
    let head: number;
    let extended = false;
    if (l === 0xff && lcs === 0xff) {
      const hi = at(4);
      const lo = at(5);
      const xcs = at(6);
      if (hi === undefined || lo === undefined || xcs === undefined) return NEED;
      if (((hi + lo + xcs) & 0xff) !== 0) return SKIP;
      len = hi * 256 + lo;
      head = 7;
      extended = true;
      if (len < 2 || len > EXTENDED_FRAME_DATA_MAX + 1) return SKIP;
    } else {
      if (((l + lcs) & 0xff) !== 0 || l === 0) return SKIP;
      len = l;
      head = 4;
    }
    const tfi = at(head);
    if (tfi === undefined) return NEED;
    if (len === 1) {
      if (tfi !== TFI_ERROR) return SKIP;
      const dcs = at(head + 1);
      if (dcs === undefined) return NEED;
      if (dcs !== 0x81) return SKIP;
      const end = pos + head + 2;
      return { kind: 'frame', frame: { type: 'error' }, end: end + (b[end] === 0 ? 1 : 0) };
    }
    if (tfi !== TFI_HOST && tfi !== TFI_PN532) return SKIP;
    const dataStart = pos + head + 1;
    const dataEnd = dataStart + len - 1;
    if (b.length < dataEnd + 1) return NEED;
    const data = b.slice(dataStart, dataEnd);
    const end = dataEnd + 1;
    const after = end + (b[end] === 0 ? 1 : 0);
    if (b[dataEnd] !== dataChecksum(tfi, data))
      return { kind: 'frame', frame: { type: 'corrupt', code: 'PN532_FRAME_BAD_DCS' }, end: after };
    return { kind: 'frame', frame: { type: 'info', tfi, data, extended }, end: after };
  }
}
