/**
 * Takes the README's screenshots of the operators' dashboard (`docs/screenshots/dashboard-*.png`): the fleet
 * page with the prefecture map, a kiosk, the live charts and the alerts page, from a relay (its own process,
 * PGlite in a temp folder) holding a synthetic fleet (`relay/testing/synthetic-fleet.ts`: fictional stores in
 * every municipality) and a few real test kiosks with full channel handshakes. The relay has no personal data,
 * so nothing personal can be in a picture.
 *
 *   npx tsx scripts/dashboard-screenshots.ts      (SCREENSHOT_KIOSKS, default 57000; SCREENSHOT_DIR)
 */
import { chromium } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { nodeCrypto } from '../common/crypto-node.js';
import { openDb } from '../common/db.js';
import { generateIdentity, keyId, parseKey, type Identity } from '../protocol/index.js';
import { OperatorStore } from '../relay/store/operators.js';
import { migrate } from '../relay/store/schema.js';
import { spawnRelay } from '../relay/testing/spawn-relay.js';
import { enrolSyntheticFleet } from '../relay/testing/synthetic-fleet.js';
import { TestKiosk } from '../relay/testing/test-kiosk.js';

const KIOSKS = Number(process.env['SCREENSHOT_KIOSKS'] ?? 57_000);
const OUT = process.env['SCREENSHOT_DIR'] ?? join(process.cwd(), 'docs', 'screenshots');
const dir = mkdtempSync(join(tmpdir(), 'dashboard-shots-'));
const password = 'screenshot-password-1';
const kiosks: Array<{ identity: Identity; store: string; municipality: string }> = [
  { identity: generateIdentity(nodeCrypto), store: 'サンプルマート 千代田一丁目店', municipality: '131016' },
  { identity: generateIdentity(nodeCrypto), store: 'テストストア 札幌駅前店', municipality: '011002' },
  { identity: generateIdentity(nodeCrypto), store: 'デモマート 那覇中央店', municipality: '472018' },
];

{
  const db = await openDb({ dataDir: join(dir, 'db') });
  await migrate(db);
  await enrolSyntheticFleet(db, KIOSKS - kiosks.length);
  await db.query(
    `INSERT INTO relay_processes (id, at, sample) VALUES ('synthetic', 'infinity', '{"sessions":0}')
     ON CONFLICT (id) DO UPDATE SET at = 'infinity'`,
  );
  for (const k of kiosks)
    await db.query(
      `INSERT INTO relay_kiosks (kiosk_id, name, store, municipality, prefecture) VALUES ($1, $2, $2, $3, $4)`,
      [keyId(k.identity.publicKey), k.store, k.municipality, k.municipality.slice(0, 2)],
    );
  const operators = new OperatorStore(db);
  await operators.add('center-admin', 'admin', password, 'screenshots');
  await operators.add('night-shift', 'operator', password, 'screenshots');
  await db.close();
}

const relay = await spawnRelay({
  RELAY_STATE_DIR: dir,
  RELAY_IDENTITY_SEED: Buffer.alloc(32, 5).toString('base64'),
  RELAY_OPS_TOKEN: 'dashboard-screenshots-token-0123',
});
const ops = relay.info.ops;
const relayKey = parseKey(relay.info.identityPublicKey)!;
const open: TestKiosk[] = [];
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  // Real kiosks: sessions and handshakes for the live charts, their health (paper low) for the alerts.
  for (const k of kiosks) {
    const c = await TestKiosk.connect(relay.info.kiosk, relayKey, { identity: k.identity });
    if (!c.ok) throw new Error(`kiosk refused: ${c.code}`);
    await c.kiosk.heartbeat(1);
    open.push(c.kiosk);
  }
  // A bad handshake (intrusion alert) and a locked operator account (lockout alert).
  await new Promise<void>((resolve) => {
    const ws = new WebSocket(relay.info.kiosk, { headers: { 'x-channel-hello': 'AAAA' } });
    ws.on('unexpected-response', () => resolve());
    ws.on('error', () => resolve());
  });
  for (let i = 0; i < 3; i++)
    await fetch(`${ops}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ops },
      body: JSON.stringify({ name: 'night-shift', password: 'not-the-password' }),
    });

  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.addInitScript(() => localStorage.setItem('lang', 'en'));
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
  await page.goto(`${ops}/`);
  await page.getByTestId('login-name').fill('center-admin');
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('whoami').waitFor();
  mkdirSync(OUT, { recursive: true });
  const shot = async (name: string) => {
    const path = join(OUT, `dashboard-${name}.png`);
    await page.screenshot({ path });
    console.log(`${path}: ${(statSync(path).size / 1024).toFixed(0)} KiB`);
  };

  await page.goto(`${ops}/#/fleet`);
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid="fleet-row"]').length > 0 &&
      document.querySelectorAll('.tilemap .tile').length === 47,
    undefined,
    { timeout: 120_000 },
  );
  await shot('fleet');

  await page.goto(`${ops}/#/kiosk/${encodeURIComponent(keyId(kiosks[0]!.identity.publicKey))}`);
  await page.getByTestId('kiosk-id').waitFor();
  await shot('kiosk');

  // Live: more handshakes while the charts fill (each kiosk reconnects a few times).
  await page.goto(`${ops}/#/live`);
  // The charts' box is empty until the first live sample is drawn.
  await page.locator('[data-testid="live-charts"] canvas').first().waitFor();
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < open.length; i++) {
      open[i]!.ws.close();
      await open[i]!.closed;
      const c = await TestKiosk.connect(relay.info.kiosk, relayKey, { identity: kiosks[i]!.identity });
      if (!c.ok) throw new Error(`kiosk refused: ${c.code}`);
      await c.kiosk.heartbeat(round + 2);
      open[i] = c.kiosk;
    }
    await page.waitForTimeout(1500);
  }
  await shot('live');

  await page.goto(`${ops}/#/alerts`);
  await page.locator('[data-testid="alert-row"]').first().waitFor();
  await shot('alerts');
} finally {
  for (const k of open) k.ws.close();
  await browser.close();
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
}
