import type { Lang } from './i18n.js';

/**
 * What the renderer keeps across its own reload at the end of a transaction: the language the resident chose
 * and the last screen seen (so that a return to the first screen after the reload still resets the language).
 * Neither is personal data. `sessionStorage` lives as long as the kiosk window; nothing goes to disk.
 */
const LANG_KEY = 'kiosk.lang';
const SCREEN_KEY = 'kiosk.screen';

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage refused: the language simply starts in Japanese after a reload
  }
}

export function rememberedLang(): Lang {
  return storage()?.getItem(LANG_KEY) === 'en' ? 'en' : 'ja';
}

export function rememberLang(lang: Lang): void {
  storage()?.setItem(LANG_KEY, lang);
}

export function lastScreenSeen(): string | null {
  return storage()?.getItem(SCREEN_KEY) ?? null;
}

export function rememberScreen(screen: string): void {
  storage()?.setItem(SCREEN_KEY, screen);
}
