import { api, ApiError } from '../api.js';
import { clear, h } from '../dom.js';
import { t } from '../i18n.js';
import { time } from './common.js';

interface Ops {
  status: {
    vrs?: Array<{ name: string; url: string; up: boolean; breaker: string; municipalities: string[] }>;
  };
  processes: Array<{
    id: string;
    at: string;
    ageMs: number;
    sample: { sessions?: number; connections?: number };
  }>;
  stops: Array<{ scope: string; reason: string; stoppedAt?: string; stoppedBy?: string }>;
  codes: Array<{
    name: string | null;
    store: string | null;
    municipality: string | null;
    municipalityName: string | null;
    expiresAt: string;
    triesLeft: number;
  }>;
  bans: Array<{ scope: string; subject: string; until: string; reason: string }>;
}

/** Operations: enrollment codes (with store and place), kill switch, VRS endpoints, relay processes, bans. */
export function opsPage(main: HTMLElement): () => void {
  const body = h('div', {});
  const msg = h('p', { 'data-testid': 'ops-message' });
  main.append(h('h1', {}, t('ops')), msg, body);
  const fail = (err: unknown) =>
    (msg.textContent =
      err instanceof ApiError
        ? err.status === 403
          ? t('forbidden')
          : `${err.code}: ${err.message}`
        : String(err));
  async function load(): Promise<void> {
    const o = await api<Ops>('GET', '/api/operations');
    clear(body);
    const store = h('input', { placeholder: t('store'), 'data-testid': 'code-store', size: '24' });
    const muni = h('input', {
      placeholder: `${t('municipality')} (131016)`,
      'data-testid': 'code-municipality',
      size: '10',
    });
    const scope = h('input', { placeholder: t('scope'), 'data-testid': 'stop-scope', size: '14' });
    const reason = h('input', { placeholder: t('reason'), 'data-testid': 'stop-reason', size: '24' });
    body.append(
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('codes')),
        h(
          'form',
          {
            class: 'toolbar',
            onsubmit: (e: Event) => {
              e.preventDefault();
              api<{ code: string; expiresAt: string }>('POST', '/api/enrollment-codes', {
                ...(store.value ? { store: store.value, name: store.value.slice(0, 64) } : {}),
                ...(muni.value ? { municipality: muni.value } : {}),
              }).then((r) => {
                msg.textContent = t('codeCreated', { code: r.code, exp: time(r.expiresAt) });
                msg.dataset['code'] = r.code;
                void load();
              }, fail);
            },
          },
          store,
          muni,
          h('button', { class: 'action', type: 'submit', 'data-testid': 'create-code' }, t('createCode')),
        ),
        h(
          'table',
          {},
          o.codes.map((c) =>
            h(
              'tr',
              {},
              h('td', {}, c.store ?? c.name ?? '—'),
              h('td', {}, c.municipalityName ?? c.municipality ?? '—'),
              h('td', {}, time(c.expiresAt)),
              h('td', {}, String(c.triesLeft)),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('stops')),
        h(
          'form',
          {
            class: 'toolbar',
            onsubmit: (e: Event) => {
              e.preventDefault();
              api('POST', '/api/stops', { scope: scope.value, reason: reason.value }).then(
                () => void load(),
                fail,
              );
            },
          },
          scope,
          reason,
          h('button', { class: 'action danger', type: 'submit', 'data-testid': 'stop' }, t('stop')),
        ),
        h(
          'table',
          { 'data-testid': 'stops' },
          o.stops.map((s) =>
            h(
              'tr',
              {},
              h('td', {}, s.scope),
              h('td', {}, s.reason),
              h('td', {}, s.stoppedBy ?? ''),
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    class: 'action',
                    'data-testid': `resume-${s.scope}`,
                    onclick: () =>
                      void api('DELETE', `/api/stops/${encodeURIComponent(s.scope)}`).then(
                        () => void load(),
                        fail,
                      ),
                  },
                  t('resume'),
                ),
              ),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('vrs')),
        h(
          'table',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'name'),
            h('th', {}, 'url'),
            h('th', {}, t('up')),
            h('th', {}, t('breaker')),
          ),
          (o.status.vrs ?? []).map((v) =>
            h(
              'tr',
              {},
              h('td', {}, v.name),
              h('td', { class: 'mono' }, v.url),
              h('td', {}, v.up ? '●' : '○'),
              h('td', { 'data-testid': 'breaker' }, v.breaker),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('processes')),
        h(
          'table',
          { 'data-testid': 'processes' },
          h('tr', {}, h('th', {}, t('process')), h('th', {}, t('sessions')), h('th', {}, t('staleness'))),
          o.processes.map((p) =>
            h(
              'tr',
              {},
              h('td', { class: 'mono' }, p.id),
              h('td', {}, String(p.sample.sessions ?? '—')),
              h('td', {}, `${(p.ageMs / 1000).toFixed(1)} s`),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('bans')),
        o.bans.length === 0
          ? h('p', {}, t('none'))
          : h(
              'table',
              {},
              o.bans.map((b) =>
                h(
                  'tr',
                  {},
                  h('td', {}, b.scope),
                  h('td', { class: 'mono' }, b.subject),
                  h('td', {}, b.reason),
                  h('td', {}, time(b.until)),
                ),
              ),
            ),
      ),
    );
  }
  void load().catch(fail);
  return () => undefined;
}
