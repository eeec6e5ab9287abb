import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { RelayOptionsInput } from './config.js';

/**
 * Reads the relay's configuration: an optional YAML/JSON file named by `RELAY_CONFIG`, overridden by
 * environment variables. Secrets (the operations token, the identity seed) are best given by environment
 * or by files readable by the relay's user only.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RelayOptionsInput {
  let file: Record<string, unknown> = {};
  if (env['RELAY_CONFIG']) {
    const parsed: unknown = parseYaml(readFileSync(env['RELAY_CONFIG'], 'utf8'));
    if (parsed === null || typeof parsed !== 'object')
      throw new TypeError('RELAY_CONFIG: a mapping expected');
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
    ['RELAY_VRS_ENDPOINTS', 'vrsEndpoints', (v) => JSON.parse(v) as unknown],
    ['RELAY_WEBHOOK_URL', 'webhookUrl', (v) => v],
    ['RELAY_IDS', 'ids', (v) => JSON.parse(v) as unknown],
    ['RELAY_KIOSK_RATES', 'kioskRates', (v) => JSON.parse(v) as unknown],
  ];
  for (const [name, key, conv] of map) {
    const v = env[name];
    if (v !== undefined && v !== '') out[key] = conv(v);
  }
  return out as RelayOptionsInput;
}
