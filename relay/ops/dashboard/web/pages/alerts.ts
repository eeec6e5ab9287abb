import { api, ApiError, on, session } from '../api.js';
import { clear, h } from '../dom.js';
import { issueText, t } from '../i18n.js';
import { shortId, time } from './common.js';

interface Alert {
  id: number;
  at: string;
  kind: string;
  severity: string;
  source: string | null;
  kioskId: string | null;
  detail: Record<string, unknown>;
  acknowledgedAt: string | null;
  acknowledgedBy?: string | null;
  clearedAt?: string | null;
}

/** Device alerts clear themselves when the device recovers; every other kind needs an acknowledgement. */
const selfClearing = (a: Alert) => a.kind === 'device';

/** Alerts, live: new ones arrive over the stream; acknowledgement is an audited action. */
export function alertsPage(main: HTMLElement): () => void {
  const tbody = h('tbody', { 'data-testid': 'alert-rows' });
  const msg = h('p', { class: 'error', 'data-testid': 'alerts-message' });
  main.append(
    h('h1', {}, t('alerts')),
    msg,
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...(['at', 'severity', 'kind', 'kiosk', 'detail', 'status'] as const).map((k) => h('th', {}, t(k))),
        ),
      ),
      tbody,
    ),
  );
  async function load(): Promise<void> {
    const r = await api<{ alerts: Alert[] }>('GET', '/api/alerts?limit=200');
    clear(tbody);
    for (const a of r.alerts) {
      const state = selfClearing(a)
        ? h('span', {}, a.clearedAt ? t('cleared') : t('selfClearing'))
        : a.acknowledgedAt
          ? h('span', {}, t('acked', { by: a.acknowledgedBy ?? '' }))
          : h(
              'button',
              {
                class: 'action',
                'data-testid': 'ack',
                hidden: session?.role === 'viewer',
                onclick: () =>
                  void api('POST', `/api/alerts/${a.id}/ack`).then(load, (err: unknown) => {
                    msg.textContent =
                      err instanceof ApiError && err.status === 403 ? t('forbidden') : String(err);
                  }),
              },
              t('ack'),
            );
      const detail =
        a.kind === 'device' && typeof a.detail['issue'] === 'string'
          ? issueText(a.detail['issue'])
          : JSON.stringify(a.detail);
      tbody.append(
        h(
          'tr',
          {
            'data-testid': 'alert-row',
            'data-kind': a.kind,
            'data-kiosk': a.kioskId ?? '',
            'data-cleared': String(Boolean(a.clearedAt)),
            class: a.clearedAt ? 'cleared' : undefined,
          },
          h('td', {}, time(a.at)),
          h(
            'td',
            {},
            h(
              'span',
              {
                class: `badge ${a.severity === 'critical' ? 'red' : a.severity === 'warning' ? 'yellow' : 'grey'}`,
              },
              a.severity,
            ),
          ),
          h('td', {}, a.kind),
          h('td', { class: 'mono' }, a.kioskId ? shortId(a.kioskId) : (a.source ?? '—')),
          h('td', { class: 'mono' }, detail),
          h('td', {}, state),
        ),
      );
    }
  }
  const off = on('alert', () => void load());
  const offC = on('cleared', () => void load());
  void load();
  return () => {
    off();
    offC();
  };
}
