import { expect, test } from '@playwright/test';
import { KioskFlow } from '../../kiosk/core/flow/machine.js';
import { flowConfig } from '../../kiosk/core/flow/config.js';
import { fakePorts, settle } from '../../kiosk/core/flow/testing/fakes.js';
import { memoryLogger } from '../../kiosk/core/flow/testing/drive.js';
import { startHost, type RunningHost } from '../../kiosk/host/index.js';
import { pickMunicipality } from './support/pick.js';

/**
 * The renderer in Chromium over the loopback bridge, driven by the real flow over fake ports: every screen
 * draws, buttons send intents, the page reloads after the transaction. (The full system run is kiosk-e2e.)
 */
const ports = fakePorts();
const flow = new KioskFlow(ports, flowConfig(), memoryLogger([]));
let host: RunningHost;

test.beforeAll(async () => {
  flow.start();
  host = await startHost({ core: flow });
});
test.afterAll(async () => {
  await host?.close();
  flow.stop();
});

test('a whole transaction in the browser, in Japanese and English', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(host.launchUrl());
  await expect(page.getByTestId('title')).toHaveText('新型コロナウイルス感染症予防接種証明書');
  await page.getByTestId('lang').click();
  await expect(page.getByTestId('title')).toHaveText('COVID-19 Vaccination Certificate');
  await page.getByTestId('lang').click();

  ports.card.place();
  await page.getByRole('button', { name: '新型コロナワクチン接種証明書' }).click();
  await expect(page.getByTestId('pin-dots')).toHaveAttribute('data-digits', '0');
  await expect(page.getByTestId('pin-tries')).toContainText('3');
  ports.pinpad.type('12');
  await expect(page.getByTestId('pin-dots')).toHaveAttribute('data-digits', '2');
  await expect(page.getByTestId('pin-dots')).toHaveAttribute('aria-label', '4桁中2桁入力済み');
  ports.pinpad.type('34');
  ports.pinpad.press('enter');
  await expect(page.getByTestId('title')).toHaveText('カードをお取りください');
  ports.card.remove();
  await pickMunicipality(page, '131016');
  await page.getByTestId('cert-domestic').click();
  await page.getByTestId('copies-2').click();
  await expect(page.getByTestId('preview-name')).toHaveText('CANARY 太郎');
  await expect(page.getByTestId('preview-fee')).toHaveText('240円');
  await page.getByTestId('confirm').click();
  await expect(page.getByTestId('due')).toHaveText('240円');
  ports.coin.insert(100);
  await expect(page.getByTestId('inserted')).toHaveText('100円');
  ports.coin.insert(500);
  await expect(page.getByTestId('title')).toHaveText('証明書をお取りください');
  expect(ports.coin.payouts).toEqual([360]);
  expect(ports.printer.jobs).toHaveLength(2);
  // The page was reloaded at the end: nothing of the resident remains in it.
  await expect(page.locator('body')).not.toContainText('CANARY');
  await page.getByTestId('done').click();
  await expect(page.getByTestId('start')).toBeVisible();
  await settle();
  expect(errors).toEqual([]);
});

test('an error screen shows the resident text for its code', async ({ page }) => {
  await page.goto(host.launchUrl());
  ports.relay.issueAnswer = { ok: true, outcome: 'no-record' };
  ports.card.place();
  await page.getByTestId('service-covid').click();
  ports.pinpad.type('1234');
  ports.pinpad.press('enter');
  await expect(page.getByTestId('title')).toHaveText('カードをお取りください');
  ports.card.remove();
  await pickMunicipality(page, '271004');
  await page.getByTestId('cert-overseas').click();
  await page.getByTestId('copies-1').click();
  await expect(page.getByTestId('error-code')).toContainText('VRS_NO_RECORD');
  await expect(page.getByTestId('error-text')).toContainText('接種記録が見つかりません');
  await page.getByTestId('lang').click();
  await expect(page.getByTestId('error-text')).toContainText('No vaccination record');
  await page.getByTestId('done').click();
  await expect(page.getByTestId('start')).toBeVisible();
});
