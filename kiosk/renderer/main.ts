import { KIOSK_API_GLOBAL, type KioskApi } from '../shared/api.js';
import type { ViewState } from '../shared/view.js';
import { button, h } from './dom.js';
import { TEXT, type Lang } from './i18n.js';
import { resetPicker } from './municipality-picker.js';
import { applyPhraseBreaks } from './phrases.js';
import { renderScreen } from './screens.js';
import { play } from './sound.js';
import { rememberedLang, rememberLang, lastScreenSeen, rememberScreen } from './session.js';

/**
 * The resident's UI: draws the view the main process sends, sends intents back through `window.kiosk`, and
 * keeps nothing of the resident (the main process reloads this page after every transaction). Language starts
 * in Japanese; the resident's choice survives that reload and is dropped when the kiosk is back on its first
 * screen (`session.ts`: the language is not personal data).
 */
const api = (window as unknown as Record<string, KioskApi | undefined>)[KIOSK_API_GLOBAL];

let lang: Lang = rememberedLang();
let view: ViewState | null = null;
let lastScreen = '';
let reminderTimer: ReturnType<typeof setInterval> | null = null;
let idleTimer: ReturnType<typeof setInterval> | null = null;

const title = h('h1', { attrs: { id: 'title', tabindex: '-1' }, testid: 'title' });
const langButton = button('', () => setLang(lang === 'ja' ? 'en' : 'ja'), { testid: 'lang', kind: 'lang' });
const screen = h('main', { attrs: { id: 'screen' } });
const idle = h('div', {
  class: 'overlay',
  role: 'alertdialog',
  testid: 'idle-warning',
  attrs: { 'aria-modal': 'true', 'aria-labelledby': 'idle-title', hidden: '' },
});

function setLang(next: Lang): void {
  lang = next;
  rememberLang(lang);
  document.documentElement.lang = lang;
  render(false);
}

function render(screenChanged: boolean): void {
  const t = TEXT[lang];
  langButton.textContent = t.langToggle;
  langButton.setAttribute('aria-label', t.langToggleLabel);
  if (!view || !api) {
    title.textContent = t.unavailable;
    screen.replaceChildren();
    return;
  }
  const r = renderScreen(view, { t, lang, api, refresh: refreshInScreen });
  title.textContent = r.title;
  screen.replaceChildren(...r.body.filter((x): x is HTMLElement => x instanceof HTMLElement));
  applyPhraseBreaks(title);
  applyPhraseBreaks(screen);
  document.body.dataset['screen'] = view.screen;
  document.body.dataset['seq'] = String(view.seq);
  document.body.classList.toggle('alert', r.alert === true);
  if (screenChanged) title.focus();
  renderIdle();
}

/** A screen's own navigation (picker pages): draw again and move focus to the screen's new heading. */
function refreshInScreen(): void {
  render(false);
  screen.querySelector<HTMLElement>('h2[tabindex]')?.focus();
}

function renderIdle(): void {
  const t = TEXT[lang];
  if (!view || view.idleDeadline === null) {
    idle.hidden = true;
    if (idleTimer) clearInterval(idleTimer);
    idleTimer = null;
    return;
  }
  const deadline = view.idleDeadline;
  const seconds = () => Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  const lead = h('p', { text: t.idleLead(seconds()), testid: 'idle-seconds' });
  idle.replaceChildren(
    h(
      'div',
      { class: 'dialog' },
      h('h2', { text: t.idleTitle, attrs: { id: 'idle-title' } }),
      lead,
      button(t.idleContinue, () => void api?.activity(), { testid: 'idle-continue' }),
    ),
  );
  idle.hidden = false;
  if (!idleTimer) {
    play('attention');
    idleTimer = setInterval(() => (lead.textContent = TEXT[lang].idleLead(seconds())), 1000);
  }
}

function cues(prev: ViewState | null, next: ViewState): void {
  const reminder = 'reminder' in next && next.reminder;
  const wasReminder = prev !== null && 'reminder' in prev && prev.reminder;
  if (next.screen !== prev?.screen) {
    if (next.screen === 'error' || next.screen === 'print-failed') play('error');
    else if (next.screen === 'take-certificate') play('success');
    else if (next.screen === 'remove-card') play('attention');
  } else if (next.screen === 'pin' && next.wrong && prev.screen === 'pin' && !prev.wrong) play('error');
  if (reminder && !wasReminder) {
    play('reminder');
    reminderTimer ??= setInterval(() => play('reminder'), 3000);
  }
  if (!reminder && reminderTimer) {
    clearInterval(reminderTimer);
    reminderTimer = null;
  }
}

function show(next: ViewState): void {
  if (view && next.seq <= view.seq) return;
  const prev = view;
  const prevScreen = prev?.screen ?? lastScreenSeen();
  view = next;
  rememberScreen(next.screen);
  // Back on the first screen after a transaction: the next resident starts in Japanese.
  if (next.screen === 'attract' && prevScreen !== null && prevScreen !== 'attract' && lang !== 'ja') {
    lang = 'ja';
    rememberLang(lang);
    document.documentElement.lang = lang;
  }
  if (next.screen !== prev?.screen) resetPicker();
  cues(prev, next);
  const changed = next.screen !== lastScreen;
  lastScreen = next.screen;
  render(changed);
}

let lastActivity = 0;
function onActivity(e: Event): void {
  if (e.target instanceof HTMLButtonElement) play('press');
  const now = Date.now();
  if (now - lastActivity < 1000) return;
  lastActivity = now;
  void api?.activity();
}

document.body.append(h('header', {}, title, langButton), screen, idle);
document.documentElement.lang = lang;
document.addEventListener('pointerdown', onActivity, { capture: true });
document.addEventListener('keydown', onActivity, { capture: true });
if (api) {
  api.onState(show);
  void api.getState().then(show);
}
render(true);
