import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../common/crypto-node.js';
import { fromBase64Url, generateIdentity, toBase64Url } from '../protocol/index.js';
import { Jlis } from '../jlis-sim/jlis.js';
import { connectTestRelay } from './testing/relay-client.js';

const root = join(import.meta.dirname, '..');

describe('npm run vrs (the process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vrs-main-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its JSON line, serves the channel and the key directory, and stops cleanly on SIGTERM', async () => {
    const relay = generateIdentity(nodeCrypto);
    const jlis = await Jlis.open(join(dir, 'jlis'));
    let dashKey = '';
    while (!dashKey.startsWith('-')) dashKey = toBase64Url(generateIdentity(nodeCrypto).publicKey);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'vrs-sim', 'main.ts'),
        '--state-dir',
        dir,
        '--per-municipality',
        '3',
        '--relay-key',
        toBase64Url(relay.publicKey),
        '--relay-key',
        dashKey, // a base64url key may start with '-': still the option's value
        '--jlis-state-dir',
        jlis.stateDir,
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Embedded PGlite in the temp folder, whatever the CI environment says.
        env: { ...process.env, DATABASE_URL: '' },
      },
    );
    const stderr: string[] = [];
    child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', () => reject(new Error(`exited early: ${stderr.join('')}`)));
      });
      const info = JSON.parse(line) as Record<string, string>;
      expect(Object.keys(info).sort()).toEqual([
        'boxPublicKey',
        'identityPublicKey',
        'issuer',
        'jwks',
        'lgwan',
      ]);
      expect(info['lgwan']).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      const ca = readFileSync(join(dir, 'tls', 'cert.pem'), 'utf8');
      const status = await new Promise<number>((resolve, reject) =>
        get(info['jwks'] ?? '', { ca }, (res) => resolve(res.statusCode ?? 0)).on('error', reject),
      );
      expect(status).toBe(200);
      const client = await connectTestRelay({
        url: info['lgwan'] ?? '',
        identity: relay,
        vrsPublicKey: fromBase64Url(info['identityPublicKey'] ?? '') as Uint8Array,
        crypto: nodeCrypto,
      });
      client.close();
      expect(existsSync(join(dir, 'vrs.pid'))).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(dir, 'vrs.pid'))).toBe(false);
      // Logs are JSON lines on stderr, without personal data.
      for (const l of stderr
        .join('')
        .split('\n')
        .filter((x) => x.startsWith('{')))
        expect(() => JSON.parse(l) as unknown).not.toThrow();
      expect(stderr.join('')).not.toContain('990000000019');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
