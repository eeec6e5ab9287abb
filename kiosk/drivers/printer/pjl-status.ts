/**
 * Parser for what a PJL printer sends back on a bidirectional line (HP PJL Technical Reference, ch. 7):
 * messages of CR LF separated lines, each message ended by a form feed (`0C`). Fed arbitrary chunks.
 *
 * ```
 * @PJL USTATUS DEVICE      @PJL USTATUS JOB        @PJL USTATUS JOB       @PJL ECHO tok
 * CODE=40021              START                   END                    <FF>
 * DISPLAY="12 PRINTER OPEN"  NAME="job-1"          NAME="job-1"
 * ONLINE=FALSE            <FF>                    PAGES=2
 * <FF>                                            RESULT=OK (optional)
 *                                                 <FF>
 * ```
 * `@PJL INFO STATUS` answers with the same fields as USTATUS DEVICE. `@PJL INQUIRE <variable>` is answered
 * with the variable's value on the next line, or `?` when the printer does not know the variable (ch. 6).
 */

export type PjlMessage =
  | { type: 'device'; code: number; display: string; online: boolean }
  | { type: 'info-status'; code: number; display: string; online: boolean }
  | { type: 'job-start'; name: string }
  | { type: 'job-end'; name: string; pages: number; result?: string }
  | { type: 'page'; page: number }
  | { type: 'echo'; text: string }
  /** The answer to `@PJL INQUIRE <variable>`: its value as sent (`?` = the printer does not know it). */
  | { type: 'inquire'; variable: string; value: string }
  /** A message this parser does not know, or one missing required fields: skipped by the driver. */
  | { type: 'unknown'; reason: 'unknown-message' | 'malformed' | 'too-long' };

const FF = 0x0c;
/** A message longer than this without a form feed is garbage; the buffer is dropped. */
export const MAX_PJL_MESSAGE = 4096;

function fields(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^([A-Z]+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    out.set(m[1]!, v);
  }
  return out;
}

function statusFields(lines: readonly string[]): { code: number; display: string; online: boolean } | null {
  const f = fields(lines);
  const code = f.get('CODE');
  const online = f.get('ONLINE');
  if (code === undefined || !/^\d{5}$/.test(code)) return null;
  if (online !== 'TRUE' && online !== 'FALSE') return null;
  return { code: Number(code), display: f.get('DISPLAY') ?? '', online: online === 'TRUE' };
}

/** Parses one message's text (without its form feed). */
export function parsePjlMessage(text: string): PjlMessage {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const head = (lines[0] ?? '').replace(/\s+/g, ' ');
  const rest = lines.slice(1);
  if (head.startsWith('@PJL ECHO')) return { type: 'echo', text: head.slice('@PJL ECHO'.length).trim() };
  const inquire = /^@PJL (?:D?INQUIRE) ([A-Z0-9]{1,40})$/i.exec(head);
  if (inquire) {
    const value = rest[0];
    if (value === undefined || value.length > 80) return { type: 'unknown', reason: 'malformed' };
    return { type: 'inquire', variable: inquire[1]!.toUpperCase(), value };
  }
  if (head === '@PJL USTATUS DEVICE' || head === '@PJL USTATUS TIMED' || head === '@PJL INFO STATUS') {
    const s = statusFields(rest);
    if (s === null) return { type: 'unknown', reason: 'malformed' };
    return { type: head === '@PJL INFO STATUS' ? 'info-status' : 'device', ...s };
  }
  if (head === '@PJL USTATUS JOB') {
    const kind = rest[0];
    const f = fields(rest.slice(1));
    const name = f.get('NAME') ?? '';
    if (kind === 'START') return { type: 'job-start', name };
    if (kind === 'END') {
      const pages = f.get('PAGES');
      if (pages === undefined || !/^\d{1,6}$/.test(pages)) return { type: 'unknown', reason: 'malformed' };
      const result = f.get('RESULT');
      return { type: 'job-end', name, pages: Number(pages), ...(result !== undefined ? { result } : {}) };
    }
    return { type: 'unknown', reason: 'malformed' };
  }
  if (head === '@PJL USTATUS PAGE') {
    const n = rest[0];
    if (n === undefined || !/^\d{1,6}$/.test(n)) return { type: 'unknown', reason: 'malformed' };
    return { type: 'page', page: Number(n) };
  }
  return { type: 'unknown', reason: 'unknown-message' };
}

/**
 * Incremental decoder: `push(chunk)` returns the messages completed by that chunk. Bytes before an `@`
 * (line noise, stray CR LF) are skipped; an over-long message is dropped and reported as `too-long`.
 */
export class PjlStatusDecoder {
  #buf: number[] = [];
  #discarding = false;

  push(chunk: Uint8Array): PjlMessage[] {
    const out: PjlMessage[] = [];
    for (const b of chunk) {
      if (b === FF) {
        if (this.#discarding) this.#discarding = false;
        else if (this.#buf.length > 0) out.push(parsePjlMessage(String.fromCharCode(...this.#buf)));
        this.#buf = [];
        continue;
      }
      if (this.#discarding) continue;
      if (this.#buf.length === 0 && b !== 0x40 /* @ */) continue;
      this.#buf.push(b & 0x7f);
      if (this.#buf.length > MAX_PJL_MESSAGE) {
        this.#buf = [];
        this.#discarding = true;
        out.push({ type: 'unknown', reason: 'too-long' });
      }
    }
    return out;
  }
}
