import { expect, test, type Page } from '@playwright/test';
import { startHost, type RunningHost } from '../../kiosk/host/index.js';
import type { ScreenView } from '../../kiosk/shared/view.js';
import {
  PANEL_SIZES,
  brokenPhrases,
  overflowOf,
  seriousViolations,
  unreachableOrUnlabelled,
} from './support/checks.js';
import { galleryViews } from './support/screen-gallery.js';
import { ViewCore } from './support/view-core.js';

/**
 * Every screen, in its fullest state, at both panel sizes and in both languages: it fits without scrolling,
 * Japanese breaks only between phrases, axe finds no serious or critical violation, every control is
 * labelled and reachable. The municipality screen is checked on each of its pages (prefectures, a
 * prefecture's index with two pages).
 */
const core = new ViewCore();
let host: RunningHost;

test.beforeAll(async () => {
  host = await startHost({ core });
});
test.afterAll(async () => {
  await host?.close();
});

async function show(page: Page, view: ScreenView, idleDeadline: number | null = null): Promise<void> {
  core.show(view, idleDeadline);
  await expect(page.locator('body')).toHaveAttribute('data-seq', String(core.view.seq));
}

/** Set SCREENS_DIR to keep a picture of every screen checked (to look at them, or for the README). */
const SCREENS_DIR = process.env['SCREENS_DIR'];

async function checkAll(page: Page, label: string, audit: boolean): Promise<string[]> {
  const problems: string[] = [];
  for (const p of await overflowOf(page)) problems.push(`${label}: overflow ${p}`);
  for (const p of await brokenPhrases(page)) problems.push(`${label}: phrase broken across lines "${p}"`);
  for (const p of await unreachableOrUnlabelled(page)) problems.push(`${label}: ${p}`);
  // axe's rules do not depend on the panel size; one size per language keeps the run short on a busy machine.
  if (audit) for (const p of await seriousViolations(page)) problems.push(`${label}: axe ${p}`);
  if (SCREENS_DIR) {
    const size = page.viewportSize();
    const lang = await page.locator('html').getAttribute('lang');
    const file = `${label.replace(/[^a-z0-9]+/gi, '-')}-${lang}-${size?.width}x${size?.height}.png`;
    await page.screenshot({ path: `${SCREENS_DIR}/${file}` });
  }
  return problems;
}

for (const size of PANEL_SIZES) {
  for (const lang of ['ja', 'en'] as const) {
    test(`every screen fits ${size.width}×${size.height} and passes the audit (${lang})`, async ({
      page,
    }) => {
      test.setTimeout(600_000);
      const audit = size.width === 1280;
      await page.setViewportSize(size);
      core.show({ screen: 'attract', available: true });
      await page.goto(host.launchUrl());
      await page.evaluate(() => document.fonts.ready);
      if (lang === 'en') await page.getByTestId('lang').click();
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      const problems: string[] = [];
      for (const { name, view } of galleryViews()) {
        await show(page, view);
        problems.push(...(await checkAll(page, name, audit)));
        if (view.screen === 'municipality') {
          // Hokkaido: the most municipalities (179), an index and two pages on its largest entry.
          await page.getByTestId('prefecture-01').click();
          await expect(page.getByTestId('index')).toBeVisible();
          await page.getByTestId(lang === 'ja' ? 'index-あ' : 'index-S').click();
          problems.push(...(await checkAll(page, 'municipality: Hokkaido', audit)));
          await page.getByTestId('page-next').click();
          await expect(page.getByTestId('page-of')).toContainText('2');
          problems.push(...(await checkAll(page, 'municipality: Hokkaido page 2', audit)));
          await page.getByTestId('prefecture-back').click();
        }
      }
      // The idle warning over the fullest screen.
      await show(page, galleryViews().find((g) => g.view.screen === 'preview')!.view, Date.now() + 15_000);
      await expect(page.getByTestId('idle-warning')).toBeVisible();
      problems.push(...(await checkAll(page, 'idle warning', audit)));
      expect(problems).toEqual([]);
    });
  }
}
