import { expect, test, type Page } from '@playwright/test';
import { checkCertificate } from '../support/certificate-check.js';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { pickMunicipality } from './support/pick.js';

/**
 * カードAP authentication for one configured municipality, in Chromium over the whole system: 131016 chose
 * カードAP at VRS (`cardApMunicipalities`), every other municipality has JPKI (the default). The resident types
 * the 利用者証明用 PIN first (the kiosk does not know the municipality yet), VRS answers that 131016 needs the
 * other method, and the kiosk asks — in the resident's language — for the card again and the 券面事項入力補助用
 * PIN, showing both counters, then goes on with the same choices to a printed, verified certificate.
 */
let sys: TestSystem;
let failed = false;

test.beforeAll(async () => {
  sys = await startTestSystem({
    cardApMunicipalities: ['131016'],
    flow: { idleMs: 15_000, idleWarningMs: 3000, cardReminderMs: 2000, endedMs: 3000 },
  });
});
test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) failed = true;
});
test.afterAll(async ({ browser: _browser }, testInfo) => {
  await sys?.shutdown({ failed, keepLogsIn: testInfo.outputPath('logs') });
});

const expectScreen = (page: Page, name: string, timeout = 20_000) =>
  expect(page.locator('body')).toHaveAttribute('data-screen', name, { timeout });
const keys = (k: string) => sys.panel('POST', '/api/pinpad/keys', { keys: k });

test.beforeEach(async ({ page }) => {
  await page.goto(sys.host.launchUrl());
  await expectScreen(page, 'attract');
});

async function toCopies(page: Page, resident: string, pin: string, municipality: string): Promise<void> {
  await sys.panel('POST', '/api/card', { resident });
  await expectScreen(page, 'menu');
  await page.getByTestId('service-covid').click();
  await expectScreen(page, 'pin');
  await keys(`${pin}E`);
  await expectScreen(page, 'remove-card');
  await sys.panel('DELETE', '/api/card');
  await expectScreen(page, 'municipality');
  await pickMunicipality(page, municipality);
  await page.getByTestId('cert-domestic').click();
  await page.getByTestId('copies-1').click();
}

test('a カードAP municipality (ja): the card again, the 券面事項入力補助用 PIN with both counters, certificate printed', async ({
  page,
}, info) => {
  await sys.panel('POST', '/api/card', { resident: 'taro' });
  await expectScreen(page, 'menu');
  await page.getByTestId('service-covid').click();
  await expectScreen(page, 'pin');
  // The first PIN screen: the 利用者証明用 PIN, its counter, and the other PIN's own counter.
  await expect(page.locator('body')).toContainText('利用者証明用電子証明書の暗証番号');
  await expect(page.getByTestId('pin-tries')).toContainText('3');
  await expect(page.getByTestId('pin-other-tries')).toContainText('券面事項入力補助用の暗証番号');
  // A wrong 利用者証明用 PIN lowers only its own counter.
  await keys('0000E');
  await expect(page.getByTestId('pin-wrong')).toBeVisible();
  await expect(page.getByTestId('pin-tries')).toContainText('2');
  await expect(page.getByTestId('pin-other-tries')).toContainText('3');
  await page.screenshot({ path: info.outputPath('card-ap-01-pin-jpki.png') });
  await keys('1234E');
  await expectScreen(page, 'remove-card');
  await sys.panel('DELETE', '/api/card');
  await expectScreen(page, 'municipality');
  await pickMunicipality(page, '131016');
  await page.getByTestId('cert-domestic').click();
  await page.getByTestId('copies-1').click();

  await expectScreen(page, 'place-card');
  await expect(page.getByTestId('place-card-again')).toContainText('券面事項入力補助用の暗証番号');
  await page.screenshot({ path: info.outputPath('card-ap-02-place-again.png') });
  await sys.panel('POST', '/api/card', { resident: 'taro' });
  await expectScreen(page, 'pin');
  await expect(page.getByTestId('pin-again')).toBeVisible();
  await expect(page.getByTestId('pin-tries')).toContainText('3');
  await expect(page.getByTestId('pin-other-tries')).toContainText('利用者証明用電子証明書の暗証番号');
  // The 利用者証明用 counter is 3 again: the right PIN before reset it.
  await expect(page.getByTestId('pin-other-tries')).toContainText('3');
  // A wrong 券面事項入力補助用 PIN: only its counter goes down, shown at once.
  await keys('0000E');
  await expect(page.getByTestId('pin-wrong')).toBeVisible();
  await expect(page.getByTestId('pin-tries')).toContainText('2');
  await expect(page.getByTestId('pin-other-tries')).toContainText('3');
  await page.screenshot({ path: info.outputPath('card-ap-03-pin-card-ap.png') });
  await keys('1234E');
  await expectScreen(page, 'remove-card');
  await sys.panel('DELETE', '/api/card');
  await expectScreen(page, 'preview');
  await expect(page.getByTestId('preview-name')).toHaveText('試験 太郎');
  await page.getByTestId('confirm').click();
  await expectScreen(page, 'payment');
  await expect
    .poll(
      async () =>
        (await sys.panel<Record<string, { accepting?: boolean }>>('GET', '/api/state'))['coin-acceptor']
          ?.accepting,
    )
    .toBe(true);
  await sys.panel('POST', '/api/coins', { yen: 100 });
  await sys.panel('POST', '/api/coins', { yen: 50 });
  await expectScreen(page, 'take-certificate', 60_000);
  const jobs = await sys.panel<{ id: number }[]>('GET', '/api/printer/jobs');
  const pdf = new Uint8Array(
    await (await fetch(`${sys.urls.panel}/api/printer/jobs/${jobs.at(-1)!.id}/pdf`)).arrayBuffer(),
  );
  const check = await checkCertificate(pdf, { jwks: { url: sys.urls.jwks, ca: sys.vrsTlsCertificate } });
  expect(check.shc.length).toBeGreaterThan(0);
  await page.getByTestId('done').click();
  await expectScreen(page, 'attract');
});

test('in English the second round names the PIN; a JPKI municipality needs no second round', async ({
  page,
}) => {
  await page.getByTestId('lang').click();
  await toCopies(page, 'taro', '1234', '131016');
  await expectScreen(page, 'place-card');
  await expect(page.getByTestId('place-card-again')).toContainText('basic information PIN');
  await page.getByTestId('cancel').click();
  await expectScreen(page, 'ended');
  await page.getByTestId('done').click();
  await expectScreen(page, 'attract');
  // 271004 keeps JPKI: the preview comes straight after the copies.
  await toCopies(page, 'hanako', '5678', '271004');
  await expectScreen(page, 'preview');
  await page.getByTestId('cancel').click();
  await expectScreen(page, 'ended');
});
