import { api, ApiError, on, session } from '../api.js';
import { clear, h } from '../dom.js';
import { t } from '../i18n.js';
import { badge, issuesText, time } from './common.js';

interface Detail {
  kiosk: {
    kioskId: string;
    store: string | null;
    name: string | null;
    municipality: string | null;
    municipalityName: string | null;
    status: string;
    issues: string[];
    online: boolean;
    lastSeenAt: string | null;
    health: Record<string, unknown> | null;
    revokedReason: string | null;
  };
  history: Array<{ at: string; status: string; issues: string[] }>;
  transactions: Array<{
    seq: number;
    at: string;
    kind: string;
    requestId: string | null;
    municipality: string | null;
    detail: Record<string, unknown>;
  }>;
  alerts: Array<{
    id: number;
    at: string;
    kind: string;
    severity: string;
    detail: Record<string, unknown>;
    cleared_at: string | null;
    acknowledged_at: string | null;
  }>;
}

/** One kiosk: status and devices, health history, recent transactions (no personal data), alerts, revoke. */
export function kioskPage(main: HTMLElement, kioskId: string): () => void {
  const body = h('div', {});
  main.append(body);
  async function load(): Promise<void> {
    let d: Detail;
    try {
      d = await api<Detail>('GET', `/api/kiosks/${encodeURIComponent(kioskId)}/detail`);
    } catch (err) {
      clear(body);
      body.append(h('p', { class: 'error' }, err instanceof ApiError ? err.code : 'error'));
      return;
    }
    const k = d.kiosk;
    clear(body);
    const reason = h('input', { 'data-testid': 'revoke-reason', placeholder: t('reason'), size: '30' });
    const result = h('span', { 'data-testid': 'revoke-result' });
    const health = h('dl', { class: 'health', 'data-testid': 'kiosk-health' });
    for (const [key, v] of Object.entries(k.health ?? {}))
      health.append(h('dt', {}, key), h('dd', {}, typeof v === 'string' ? v : JSON.stringify(v)));
    body.append(
      h(
        'h1',
        { 'data-testid': 'kiosk-title' },
        `${t('kiosk')}: `,
        k.store ?? k.name ?? '—',
        ' ',
        badge(k.status),
      ),
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'mono', 'data-testid': 'kiosk-id' }, k.kioskId),
        h('div', {}, `${t('municipality')}: `, k.municipalityName ?? k.municipality ?? '—'),
        h('div', {}, `${t('lastSeen')}: ${time(k.lastSeenAt)} · ${k.online ? t('online') : t('offline')}`),
        h('div', { class: 'issues', 'data-testid': 'kiosk-issues' }, issuesText(k.issues)),
        health,
        k.status === 'revoked'
          ? h('p', {}, `${t('revoked')}: `, k.revokedReason ?? '')
          : h(
              'p',
              {},
              reason,
              ' ',
              h(
                'button',
                {
                  class: 'action danger',
                  'data-testid': 'revoke',
                  hidden: session?.role === 'viewer',
                  onclick: () => {
                    if (!reason.value) return void reason.focus();
                    if (!confirm(t('confirmRevoke'))) return;
                    api('POST', `/api/kiosks/${encodeURIComponent(k.kioskId)}/revoke`, {
                      reason: reason.value,
                    }).then(
                      () => void load(),
                      (err: unknown) =>
                        (result.textContent =
                          err instanceof ApiError && err.status === 403 ? t('forbidden') : String(err)),
                    );
                  },
                },
                t('revoke'),
              ),
              ' ',
              result,
            ),
      ),
      h(
        'div',
        { class: 'grid2' },
        h(
          'div',
          { class: 'card' },
          h('h2', {}, t('history')),
          h(
            'table',
            { 'data-testid': 'kiosk-history' },
            d.history.map((x) =>
              h(
                'tr',
                {},
                h('td', {}, time(x.at)),
                h('td', {}, badge(x.status)),
                h('td', { class: 'issues' }, issuesText(x.issues)),
              ),
            ),
          ),
        ),
        h(
          'div',
          { class: 'card' },
          h('h2', {}, t('alerts')),
          h(
            'table',
            { 'data-testid': 'kiosk-alerts' },
            d.alerts.map((a) =>
              h(
                'tr',
                {},
                h('td', {}, time(a.at)),
                h('td', {}, a.kind),
                h('td', {}, String(a.detail['issue'] ?? a.severity)),
                h('td', {}, a.cleared_at ? t('cleared') : a.acknowledged_at ? '✓' : ''),
              ),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('transactions')),
        h(
          'table',
          { 'data-testid': 'kiosk-transactions' },
          h(
            'tr',
            {},
            h('th', {}, t('at')),
            h('th', {}, t('kind')),
            h('th', {}, t('requestId')),
            h('th', {}, t('municipality')),
            h('th', {}, t('detail')),
          ),
          d.transactions.map((x) =>
            h(
              'tr',
              {},
              h('td', {}, time(x.at)),
              h('td', {}, x.kind),
              h('td', { class: 'mono' }, x.requestId ?? '—'),
              h('td', {}, x.municipality ?? '—'),
              h('td', { class: 'mono' }, JSON.stringify(x.detail)),
            ),
          ),
        ),
      ),
    );
  }
  const off = on('fleet', () => void load());
  const offA = on('alert', () => void load());
  void load();
  return () => {
    off();
    offA();
  };
}
