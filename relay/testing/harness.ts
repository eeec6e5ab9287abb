import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../common/log.js';
import type { Municipality } from '../../protocol/index.js';
import type { RelayOptionsInput } from '../config.js';
import { startRelay, type Relay } from '../relay.js';
import { FakeVrs, type FakeVrsOptions } from './fake-vrs.js';

export const MUNICIPALITIES: Municipality[] = [
  { code: '131016', name: '千代田区', nameEn: 'Chiyoda', prefecture: '東京都' },
  { code: '271004', name: '大阪市', nameEn: 'Osaka', prefecture: '大阪府' },
];

export const OPS_TOKEN = 'test-ops-token-0123456789';

export interface TestRelay {
  relay: Relay;
  vrs: FakeVrs;
  dir: string;
  logLines: string[];
  opsHeaders: Record<string, string>;
  stop(): Promise<void>;
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A relay on PGlite in a temp folder with one fake VRS peer, both on 127.0.0.1 port 0. Logs captured. */
export async function startTestRelay(
  options: Partial<RelayOptionsInput> = {},
  vrsOptions: Partial<FakeVrsOptions> = {},
  relaySeed = Buffer.alloc(32, 7).toString('base64'),
  deps: { now?: () => number } = {},
): Promise<TestRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-test-'));
  const logLines: string[] = [];
  const log: Logger = createLogger('relay', (line) => logLines.push(line));
  const relayKey = (await import('../../protocol/index.js')).identityFromSeed(
    new Uint8Array(Buffer.from(relaySeed, 'base64')),
    (await import('../../common/crypto-node.js')).nodeCrypto,
  ).publicKey;
  const vrs = new FakeVrs({ relayPublicKey: relayKey, municipalities: MUNICIPALITIES, ...vrsOptions });
  const url = await vrs.listen();
  const relay = await startRelay(
    {
      stateDir: dir,
      opsToken: OPS_TOKEN,
      identitySeed: relaySeed,
      vrsEndpoints: [{ url, identityPublicKey: vrs.publicKey }],
      ...options,
    },
    { log, ...deps },
  );
  await waitUntil(() => relay.router.knows('131016'));
  return {
    relay,
    vrs,
    dir,
    logLines,
    opsHeaders: { authorization: `Bearer ${OPS_TOKEN}`, 'content-type': 'application/json' },
    async stop() {
      await relay.stop();
      await vrs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
