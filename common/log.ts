/**
 * Structured logging for the Node services and the kiosk's main process.
 *
 * One JSON object per line. Log identifiers that mean nothing outside the system (request id, kiosk id,
 * error code); never personal data. As a second line of defence, fields whose names denote personal data
 * or secrets are replaced by "[redacted]" before anything is written.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(component: string): Logger;
}

export type LogSink = (line: string) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names that must never carry a value into a log line. Compared case-insensitively. */
const REDACTED_FIELDS = new Set(
  [
    'pin',
    'mynumber',
    'my_number',
    'name',
    'kanjiname',
    'romajiname',
    'address',
    'birthdate',
    'birth_date',
    'dob',
    'sex',
    'passport',
    'passportnumber',
    'secret',
    'secretkey',
    'privatekey',
    'key',
    'password',
    'token',
    'plaintext',
  ].map((s) => s.toLowerCase()),
);

let defaultSink: LogSink = (line) => process.stderr.write(line + '\n');
let minLevel: LogLevel = (process.env['LOG_LEVEL'] as LogLevel | undefined) ?? 'info';

/** Replaces where log lines go (tests capture them; `npm start` prefixes them). */
export function setLogSink(sink: LogSink): void {
  defaultSink = sink;
}

export function setLogLevel(level: LogLevel): void {
  minLevel = level;
}

function clean(fields: LogFields | undefined): LogFields {
  const out: LogFields = {};
  if (fields === undefined) return out;
  for (const [k, v] of Object.entries(fields)) {
    out[k] = REDACTED_FIELDS.has(k.toLowerCase()) ? '[redacted]' : v;
  }
  return out;
}

/** A logger for one component (`relay`, `vrs`, `kiosk.pn532`, …). */
export function createLogger(component: string, sink?: LogSink): Logger {
  const write = (level: LogLevel, event: string, fields?: LogFields) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const line = JSON.stringify({ t: new Date().toISOString(), level, component, event, ...clean(fields) });
    (sink ?? defaultSink)(line);
  };
  return {
    debug: (e, f) => write('debug', e, f),
    info: (e, f) => write('info', e, f),
    warn: (e, f) => write('warn', e, f),
    error: (e, f) => write('error', e, f),
    child: (sub) => createLogger(`${component}.${sub}`, sink),
  };
}
