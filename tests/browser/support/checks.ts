import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** The panel sizes every screen must fit without scrolling: a typical copier panel and a 720p screen. */
export const PANEL_SIZES = [
  { width: 1024, height: 600 },
  { width: 1280, height: 720 },
] as const;

/**
 * What does not fit: elements reaching past the viewport, and any box that scrolls. (The body does not
 * scroll by design, so overflow is looked for element by element.)
 */
export async function overflowOf(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const W = window.innerWidth;
    const H = window.innerHeight;
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''} "${(el.textContent ?? '').slice(0, 30)}"`;
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('[hidden]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (el.closest('.sr-only')) continue;
      // Only the outermost element that does not fit (its children follow from it).
      const parent = el.parentElement;
      const pr = parent?.getBoundingClientRect();
      const parentOut =
        pr !== undefined &&
        parent !== document.body &&
        (pr.bottom > H + 0.5 || pr.right > W + 0.5 || pr.left < -0.5 || pr.top < -0.5);
      if (parentOut) continue;
      if (r.bottom > H + 0.5 || r.right > W + 0.5 || r.left < -0.5 || r.top < -0.5)
        out.push(
          `${name(el)} at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`,
        );
      const s = getComputedStyle(el);
      if (el.scrollHeight > el.clientHeight + 1 && /auto|scroll/.test(s.overflowY))
        out.push(`${name(el)} scrolls`);
    }
    const doc = document.documentElement;
    if (doc.scrollHeight > H + 0.5 || doc.scrollWidth > W + 0.5) out.push('the page scrolls');
    return out;
  });
}

/**
 * Japanese phrases broken across lines: every run of Japanese text between break opportunities must sit on
 * one line. Returns the runs that do not.
 */
export async function brokenPhrases(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const JA = /[\u3040-\u30ff\u3400-\u9fff]/;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
      const text = n.textContent ?? '';
      const parent = n.parentElement;
      if (!JA.test(text) || /\s/.test(text.trim()) || parent?.closest('[hidden], .sr-only')) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const tops = new Set(
        [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)),
      );
      if (tops.size > 1) out.push(text);
    }
    return out;
  });
}

/** Serious and critical accessibility violations (axe-core, WCAG 2.1 A and AA rules). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Controls that cannot be reached by keyboard or have no accessible name. */
export async function unreachableOrUnlabelled(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, [role="button"], a, input')) {
      if (el.closest('[hidden]') || (el as HTMLButtonElement).disabled) continue;
      const label = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
      if (label === '') out.push(`${el.outerHTML.slice(0, 60)} has no name`);
      if (el.tabIndex < 0) out.push(`${label} is not reachable by keyboard`);
    }
    return out;
  });
}
