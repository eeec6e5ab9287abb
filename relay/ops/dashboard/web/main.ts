import { api, ApiError, closeStream, session, setSession, whenUnauthorized, type Session } from './api.js';
import { clear, h } from './dom.js';
import { getLang, setLang, t, type Key } from './i18n.js';
import { alertsPage } from './pages/alerts.js';
import { auditPage } from './pages/audit.js';
import { fleetPage } from './pages/fleet.js';
import { kioskPage } from './pages/kiosk.js';
import { livePage } from './pages/live.js';
import { opsPage } from './pages/ops.js';

const app = document.getElementById('app') as HTMLElement;
/** Set by the page shown; called when the route changes. */
let leave: (() => void) | undefined;

/** Above every page: "database unreachable" while the relay says so (its status, asked every 2 s). */
const dbBanner = h('p', { class: 'banner', role: 'status', 'data-testid': 'db-banner', hidden: true });
let dbTimer: ReturnType<typeof setInterval> | undefined;
function watchDatabase(): void {
  const check = () =>
    void api<{ database?: { reachable: boolean; since: string } }>('GET', '/api/status').then(
      (s) => {
        const d = s.database;
        dbBanner.hidden = d === undefined || d.reachable;
        if (d !== undefined && !d.reachable)
          dbBanner.textContent = t('dbDown', { since: new Date(d.since).toLocaleTimeString() });
      },
      () => undefined,
    );
  check();
  dbTimer ??= setInterval(check, 2000);
}

function loginView(message?: string): void {
  closeStream();
  clearInterval(dbTimer);
  dbTimer = undefined;
  clear(app);
  const name = h('input', {
    name: 'name',
    autocomplete: 'username',
    required: true,
    'data-testid': 'login-name',
  });
  const password = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'login-password',
  });
  const msg = h('p', { class: 'error', role: 'alert', 'data-testid': 'login-error' }, message ?? '');
  const form = h(
    'form',
    {
      class: 'login',
      onsubmit: (e: Event) => {
        e.preventDefault();
        api<Session & { ok: boolean }>('POST', '/auth/login', {
          name: name.value,
          password: password.value,
        }).then(
          (s) => {
            setSession({ name: s.name, role: s.role, csrf: s.csrf });
            route();
          },
          (err: unknown) => {
            if (err instanceof ApiError && err.code === 'RELAY_OPS_LOCKED')
              msg.textContent = t('locked', { s: Number(err.body['retryAfterS'] ?? 0) });
            else msg.textContent = t('wrongPassword');
          },
        );
      },
    },
    h('h1', {}, t('title')),
    h('label', {}, t('name'), name),
    h('label', {}, t('password'), password),
    h('button', { class: 'action', type: 'submit', 'data-testid': 'login-submit' }, t('signIn')),
    msg,
    langButton(),
  );
  app.append(form);
}

function langButton(): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      'data-testid': 'lang',
      onclick: () => {
        setLang(getLang() === 'ja' ? 'en' : 'ja');
        route();
      },
    },
    getLang() === 'ja' ? 'English' : '日本語',
  );
}

const PAGES: Array<[string, Key]> = [
  ['fleet', 'fleet'],
  ['live', 'live'],
  ['alerts', 'alerts'],
  ['audit', 'audit'],
  ['ops', 'ops'],
];

function shell(current: string): HTMLElement {
  clear(app);
  const main = h('main', {});
  app.append(
    h(
      'header',
      {},
      h('strong', {}, t('title')),
      h(
        'nav',
        {},
        PAGES.map(([p, k]) => h('a', { href: `#/${p}`, class: p === current ? 'active' : undefined }, t(k))),
      ),
      h(
        'div',
        { class: 'right' },
        h('span', { 'data-testid': 'whoami' }, `${session?.name ?? ''} (${session?.role ?? ''})`),
        langButton(),
        h(
          'button',
          {
            'data-testid': 'logout',
            onclick: () =>
              void api('POST', '/auth/logout').finally(() => {
                setSession(undefined);
                loginView();
              }),
          },
          t('signOut'),
        ),
      ),
    ),
    dbBanner,
    main,
  );
  watchDatabase();
  return main;
}

/** Bumped by every route(); a route that awaited the session check gives way to a newer one. */
let routeGeneration = 0;

async function route(): Promise<void> {
  const generation = ++routeGeneration;
  leave?.();
  leave = undefined;
  if (session === undefined) {
    try {
      const s = await api<Session>('GET', '/auth/session');
      if (generation !== routeGeneration) return;
      setSession({ name: s.name, role: s.role, csrf: s.csrf });
    } catch {
      // A sign-in that finished while this check was on the wire has already routed: keep its page.
      if (generation !== routeGeneration || session !== undefined) return;
      return loginView();
    }
  }
  const [, page = 'fleet', arg] = location.hash.split('/');
  const main = shell(page);
  switch (page) {
    case 'kiosk':
      leave = kioskPage(main, decodeURIComponent(arg ?? ''));
      return;
    case 'live':
      leave = livePage(main);
      return;
    case 'alerts':
      leave = alertsPage(main);
      return;
    case 'audit':
      leave = auditPage(main);
      return;
    case 'ops':
      leave = opsPage(main);
      return;
    default:
      leave = fleetPage(main, new URLSearchParams(arg ?? ''));
  }
}

whenUnauthorized(() => {
  setSession(undefined);
  loginView(t('sessionOver'));
});
setLang(getLang());
window.addEventListener('hashchange', () => void route());
void route();
