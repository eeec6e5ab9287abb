import { describe, expect, it } from 'vitest';
import { RelayOptions } from './config.js';
import { configFromEnv } from './env-config.js';

describe('configuration from the environment', () => {
  it('reads every variable and validates the result', () => {
    const o = RelayOptions.parse(
      configFromEnv({
        RELAY_STATE_DIR: '/tmp/x',
        RELAY_OPS_TOKEN: 'a'.repeat(20),
        RELAY_KIOSK_PORT: '9000',
        RELAY_VRS_ENDPOINTS: JSON.stringify([
          { url: 'ws://127.0.0.1:1/vrs', identityPublicKey: 'A'.repeat(43) },
        ]),
        RELAY_IDS: '{"banMs":1000}',
        RELAY_DB_THREAD: '1',
      }),
    );
    expect(o).toMatchObject({
      stateDir: '/tmp/x',
      kioskPort: 9000,
      kioskHost: '127.0.0.1',
      ids: { banMs: 1000 },
      dbThread: true,
    });
    expect(o.vrsEndpoints).toHaveLength(1);
  });

  it('refuses a short token and a bad endpoint key with the field named', () => {
    const r = RelayOptions.safeParse(
      configFromEnv({
        RELAY_OPS_TOKEN: 'short',
        RELAY_VRS_ENDPOINTS: JSON.stringify([{ url: 'http://x', identityPublicKey: 'nope' }]),
      }),
    );
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['opsToken', 'vrsEndpoints.0.url', 'vrsEndpoints.0.identityPublicKey']),
    );
  });
});
