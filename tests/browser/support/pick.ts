import { expect, type Page } from '@playwright/test';
import { findMunicipality } from '../../../protocol/municipalities/index.js';

/**
 * Chooses a municipality on the picker as a resident would: its prefecture, then (for a large prefecture)
 * the index entry of its name, then the next page until it shows, then the municipality. Returns the number
 * of touches it took.
 */
export async function pickMunicipality(page: Page, code: string): Promise<number> {
  const m = findMunicipality(code);
  if (m === undefined) throw new TypeError(`municipality: unknown code ${code}`);
  let touches = 0;
  await page.getByTestId(`prefecture-${m.prefecture}`).click();
  touches++;
  await expect(page.getByTestId('municipalities')).toBeVisible();
  const lang = await page.locator('html').getAttribute('lang');
  const tab = page.getByTestId(`index-${lang === 'en' ? m.romaji.charAt(0) : m.row}`);
  if ((await tab.count()) > 0 && (await tab.getAttribute('aria-pressed')) !== 'true') {
    await tab.click();
    touches++;
    await expect(tab).toHaveAttribute('aria-pressed', 'true');
  }
  const target = page.getByTestId(`municipality-${code}`);
  while ((await target.count()) === 0) {
    const next = page.getByTestId('page-next');
    if ((await next.count()) === 0 || (await next.isDisabled()))
      throw new Error(`${code} not found on any page`);
    const before = await page.getByTestId('page-of').textContent();
    await next.click();
    touches++;
    await expect(page.getByTestId('page-of')).not.toHaveText(before ?? '');
  }
  await target.click();
  return touches + 1;
}
