import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { RelayOptionsInput } from './config.js';
import { RelayError } from './errors.js';

/** Larger than any real configuration (all of Japan's municipality codes fit in 20 KB); the yaml parser is
 * quadratic in mapping keys (22,000 keys: 7 s), so a larger text is refused before parsing. */
const MAX_CONFIG_BYTES = 64 * 1024;
/** Deeper than any real configuration (which nests 3 levels). */
const MAX_CONFIG_DEPTH = 64;

/**
 * An over-estimate of a YAML text's nesting: per line, its indentation plus every flow bracket still open
 * plus every block indicator (`- `, `? `, `: `) on it. The `yaml` parser recurses per level, and a few
 * thousand levels exhaust the stack inside V8's regular-expression compiler, which is a fatal out-of-memory
 * error that no `catch` sees (found by tests/fuzz, corpus `config-relay/yaml-deep-flow.json`). So a text
 * that might nest deeper than MAX_CONFIG_DEPTH is refused before the parser sees it.
 */
function nestingEstimate(text: string): number {
  let open = 0;
  let max = 0;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    let here = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === '[' || c === '{') open++;
      else if ((c === ']' || c === '}') && open > 0) open--;
      else if ((c === '-' || c === '?' || c === ':') && (line[i + 1] === ' ' || i + 1 === line.length))
        here++;
      max = Math.max(max, open + indent + here);
    }
    max = Math.max(max, open + indent + here);
  }
  return max;
}

/** Parses one piece of configuration text; any failure (syntax, nesting, aliases) is RELAY_CONFIG_INVALID. */
function parseOrRefuse(name: string, text: string, parse: (t: string) => unknown): unknown {
  try {
    return parse(text);
  } catch (err) {
    throw new RelayError(
      'RELAY_CONFIG_INVALID',
      `${name}: not valid ${name === 'RELAY_CONFIG' ? 'YAML or JSON' : 'JSON'}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * Reads the relay's configuration: an optional YAML/JSON file named by `RELAY_CONFIG`, overridden by
 * environment variables. Secrets (the operations token, the identity seed) are best given by environment
 * or by files readable by the relay's user only.
 * @throws RelayError RELAY_CONFIG_INVALID when the file cannot be read or a value does not parse (the fields
 *   are then checked by `RelayOptions`, whose ZodError names them).
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RelayOptionsInput {
  let file: Record<string, unknown> = {};
  if (env['RELAY_CONFIG']) {
    let text: string;
    try {
      text = readFileSync(env['RELAY_CONFIG'], 'utf8');
    } catch (err) {
      throw new RelayError('RELAY_CONFIG_INVALID', 'RELAY_CONFIG: file cannot be read', { cause: err });
    }
    if (text.length > MAX_CONFIG_BYTES || nestingEstimate(text) > MAX_CONFIG_DEPTH)
      throw new RelayError('RELAY_CONFIG_INVALID', 'RELAY_CONFIG: too large or too deeply nested');
    const parsed = parseOrRefuse('RELAY_CONFIG', text, (t) => parseYaml(t) as unknown);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new RelayError('RELAY_CONFIG_INVALID', 'RELAY_CONFIG: a mapping expected');
    file = parsed as Record<string, unknown>;
  }
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  const out: Record<string, unknown> = { stateDir: '.state/relay', ...file };
  const map: Array<[string, string, (v: string) => unknown]> = [
    ['RELAY_STATE_DIR', 'stateDir', (v) => v],
    ['DATABASE_URL', 'dbUrl', (v) => v],
    ['RELAY_DB_THREAD', 'dbThread', (v) => v === '1' || v === 'true'],
    ['RELAY_KIOSK_HOST', 'kioskHost', (v) => v],
    ['RELAY_KIOSK_PORT', 'kioskPort', num],
    ['RELAY_OPS_HOST', 'opsHost', (v) => v],
    ['RELAY_OPS_PORT', 'opsPort', num],
    ['RELAY_OPS_TOKEN', 'opsToken', (v) => v],
    ['RELAY_IDENTITY_SEED', 'identitySeed', (v) => v],
    ['RELAY_VRS_ENDPOINTS', 'vrsEndpoints', (v) => parseOrRefuse('RELAY_VRS_ENDPOINTS', v, JSON.parse)],
    ['RELAY_WEBHOOK_URL', 'webhookUrl', (v) => v],
    ['RELAY_IDS', 'ids', (v) => parseOrRefuse('RELAY_IDS', v, JSON.parse)],
    ['RELAY_KIOSK_RATES', 'kioskRates', (v) => parseOrRefuse('RELAY_KIOSK_RATES', v, JSON.parse)],
    ['RELAY_CONNECTIONS', 'connections', (v) => parseOrRefuse('RELAY_CONNECTIONS', v, JSON.parse)],
    ['RELAY_HANDSHAKE_TIMEOUT_MS', 'handshakeTimeoutMs', num],
    ['RELAY_MODE', 'mode', (v) => v],
  ];
  for (const [name, key, conv] of map) {
    const v = env[name];
    if (v !== undefined && v !== '') out[key] = conv(v);
  }
  return out as RelayOptionsInput;
}
