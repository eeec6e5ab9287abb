/**
 * PJL job building for the certificate printer (HP PJL Technical Reference, ch. 5 and 7): a job is framed by
 * Universal Exit Language sequences and carries the PDF after `@PJL ENTER LANGUAGE = PDF`.
 *
 * Layout (unsolicited status is switched on before `JOB` so the printer reports this job's START):
 * ```
 * UEL @PJL
 * @PJL USTATUS DEVICE = ON
 * @PJL USTATUS JOB = ON
 * @PJL JOB NAME="<name>"
 * @PJL ENTER LANGUAGE = PDF
 * <PDF bytes>
 * UEL @PJL
 * @PJL EOJ NAME="<name>"
 * UEL
 * ```
 */

/** Universal Exit Language: `ESC % - 1 2 3 4 5 X`. */
export const UEL = new Uint8Array([0x1b, 0x25, 0x2d, 0x31, 0x32, 0x33, 0x34, 0x35, 0x58]);

const CRLF = '\r\n';
/** Job names are identifiers (no personal data, no quotes): letters, digits, `_ . -`, at most 80. */
const JOB_NAME = /^[A-Za-z0-9_.-]{1,80}$/;
/** ECHO tokens: printable ASCII without quotes. */
const ECHO_TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;

const ascii = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
};

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Index of `needle` in `hay` from `from`, or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (let i = Math.max(0, from); i <= hay.length - needle.length; i++) {
    if (hay[i] !== first) continue;
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export function assertJobName(jobName: unknown): asserts jobName is string {
  if (typeof jobName !== 'string' || !JOB_NAME.test(jobName))
    throw new TypeError('jobName: 1–80 characters from [A-Za-z0-9_.-] expected');
}

/** Builds the bytes of one PJL job carrying `pdf`. Throws TypeError on a bad name or a non-PDF. */
export function buildPjlJob(pdf: Uint8Array, jobName: string): Uint8Array {
  if (!(pdf instanceof Uint8Array)) throw new TypeError('pdf: Uint8Array expected');
  assertJobName(jobName);
  if (pdf.length < 8 || String.fromCharCode(...pdf.subarray(0, 5)) !== '%PDF-')
    throw new TypeError('pdf: does not start with %PDF-');
  if (indexOfBytes(pdf, UEL) !== -1) throw new TypeError('pdf: contains a UEL sequence');
  const head =
    `@PJL${CRLF}@PJL USTATUS DEVICE = ON${CRLF}@PJL USTATUS JOB = ON${CRLF}` +
    `@PJL JOB NAME="${jobName}"${CRLF}@PJL ENTER LANGUAGE = PDF${CRLF}`;
  return concat([UEL, ascii(head), pdf, UEL, ascii(`@PJL${CRLF}@PJL EOJ NAME="${jobName}"${CRLF}`), UEL]);
}

/** A short PJL block: UEL, the given command lines, UEL. Used for ECHO, INFO STATUS and USTATUS. */
export function buildPjlCommands(lines: readonly string[]): Uint8Array {
  for (const l of lines)
    if (!/^@PJL[ -~]*$/.test(l)) throw new TypeError('lines: printable ASCII @PJL commands expected');
  return concat([UEL, ascii(['@PJL', ...lines].join(CRLF) + CRLF), UEL]);
}

/** `@PJL ECHO <token>`: the printer echoes it back, so the host knows everything before it was read. */
export function buildPjlEcho(token: string): Uint8Array {
  if (!ECHO_TOKEN.test(token)) throw new TypeError('token: [A-Za-z0-9_.:-]{1,64} expected');
  return buildPjlCommands([`@PJL ECHO ${token}`]);
}

/**
 * Asks the printer to cancel a job. PJL has no standard host-side cancel command; this is the
 * `@PJL CANCEL NAME="…"` line our simulator accepts (an assumption to check against the chosen model; the
 * job-end report then carries `RESULT=HOST_CANCELED`).
 */
export function buildPjlCancel(jobName: string): Uint8Array {
  assertJobName(jobName);
  return buildPjlCommands([`@PJL CANCEL NAME="${jobName}"`]);
}
