import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { KioskFlow } from '../../kiosk/core/flow/machine.js';
import { flowConfig } from '../../kiosk/core/flow/config.js';
import { fakePorts } from '../../kiosk/core/flow/testing/fakes.js';
import { memoryLogger } from '../../kiosk/core/flow/testing/drive.js';
import { startHost, writeLaunchFile, type RunningHost } from '../../kiosk/host/index.js';

/**
 * Only the window the kiosk opened drives it (browser-host mode): the one-time launch URL connects one
 * page, which survives its own reloads; the same URL in another tab, or the page without the secret, is
 * refused and sees no screen; a new launch takes over. `npm start -- --open`'s launch file works.
 */
const ports = fakePorts();
const flow = new KioskFlow(ports, flowConfig(), memoryLogger([]));
const logs: string[] = [];
let host: RunningHost;

test.beforeAll(async () => {
  flow.start();
  host = await startHost({ core: flow, log: memoryLogger(logs, 'kiosk.host') });
});
test.afterAll(async () => {
  await host?.close();
  flow.stop();
});

test('one window per launch URL; others are refused and shown nothing', async ({ browser }) => {
  const launch = host.launchUrl();
  const owner = await browser.newPage();
  await owner.goto(launch);
  await expect(owner.getByTestId('start')).toBeVisible();
  await expect(owner.locator('html')).toHaveAttribute('data-bridge', 'connected');
  expect(owner.url()).not.toContain('#launch');

  // The same URL in a second window (or a script that read it) is refused.
  const second = await browser.newPage();
  await second.goto(launch);
  await expect(second.locator('html')).toHaveAttribute('data-bridge', 'refused');
  // The page without the secret does not even try (nothing to present).
  const bare = await browser.newPage();
  await bare.goto(host.url);
  await expect(bare.locator('html')).toHaveAttribute('data-bridge', 'refused');
  expect(logs.filter((l) => l.includes('host.bridge-refused')).length).toBeGreaterThanOrEqual(1);

  // The owner still drives the kiosk, also after reloading (its session secret, this tab only).
  await owner.reload();
  await expect(owner.locator('html')).toHaveAttribute('data-bridge', 'connected');
  ports.card.place();
  await expect(owner.getByTestId('service-covid')).toBeVisible();
  await expect(second.getByTestId('service-covid')).toHaveCount(0);
  await expect(bare.getByTestId('service-covid')).toHaveCount(0);
  ports.card.remove();

  // A new launch takes over; the old window, once it reconnects, is refused.
  const next = await browser.newPage();
  await next.goto(host.launchUrl());
  await expect(next.locator('html')).toHaveAttribute('data-bridge', 'connected');
  await owner.reload();
  await expect(owner.locator('html')).toHaveAttribute('data-bridge', 'refused');
  for (const p of [owner, second, bare, next]) await p.close();
});

test('the launch file of `npm start -- --open` opens the kiosk without the secret on a command line', async ({
  page,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-launch-'));
  try {
    const fileUrl = writeLaunchFile(dir, host.launchUrl());
    expect(fileUrl).not.toContain('launch=');
    expect(statSync(join(dir, 'open-kiosk.html')).mode & 0o077).toBe(0);
    await page.goto(fileUrl);
    await expect(page.locator('html')).toHaveAttribute('data-bridge', 'connected');
    expect(page.url()).toBe(host.url);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
