import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { t } from '../i18n.js';
import { time } from './common.js';

interface Rec {
  seq: number;
  at: string;
  kind: string;
  requestId: string | null;
  kioskId: string | null;
  municipality: string | null;
  detail: Record<string, unknown>;
  hash: string;
}

/** Audit search (kind, kiosk, request id, time) and the hash-chain check, showing where the chain breaks. */
export function auditPage(main: HTMLElement): () => void {
  const kind = h('input', { placeholder: t('kind'), 'data-testid': 'audit-kind', size: '16' });
  const kiosk = h('input', { placeholder: t('kiosk'), 'data-testid': 'audit-kiosk', size: '20' });
  const request = h('input', { placeholder: t('requestId'), 'data-testid': 'audit-request', size: '20' });
  const from = h('input', { type: 'datetime-local', 'aria-label': t('from') });
  const to = h('input', { type: 'datetime-local', 'aria-label': t('to') });
  const tbody = h('tbody', { 'data-testid': 'audit-rows' });
  const check = h('div', { class: 'card', 'data-testid': 'chain-result' });
  let broken: number | undefined;
  const search = async () => {
    const q = new URLSearchParams({ limit: '200' });
    if (kind.value) q.set('kind', kind.value);
    if (kiosk.value) q.set('kiosk', kiosk.value);
    if (request.value) q.set('request', request.value);
    if (from.value) q.set('from', new Date(from.value).toISOString());
    if (to.value) q.set('to', new Date(to.value).toISOString());
    const r = await api<{ records: Rec[] }>('GET', `/api/audit/search?${q}`);
    clear(tbody);
    for (const x of r.records)
      tbody.append(
        h(
          'tr',
          { 'data-seq': String(x.seq), class: broken === x.seq ? 'break' : undefined },
          h('td', {}, String(x.seq)),
          h('td', {}, time(x.at)),
          h('td', {}, x.kind),
          h('td', { class: 'mono' }, x.kioskId ?? ''),
          h('td', { class: 'mono' }, x.requestId ?? ''),
          h('td', {}, x.municipality ?? ''),
          h('td', { class: 'mono' }, JSON.stringify(x.detail)),
        ),
      );
  };
  const runCheck = async () => {
    const r = await api<{ intact: boolean; count?: number; brokenAt?: number; records?: Rec[] }>(
      'GET',
      '/api/audit/check',
    );
    clear(check);
    if (r.intact) {
      broken = undefined;
      check.append(h('p', { class: 'ok', 'data-testid': 'chain-ok' }, t('chainOk', { n: r.count ?? 0 })));
    } else {
      broken = r.brokenAt;
      check.append(
        h(
          'p',
          { class: 'error', 'data-testid': 'chain-broken', 'data-seq': String(r.brokenAt) },
          t('chainBroken', { seq: r.brokenAt ?? '?' }),
        ),
        h(
          'table',
          {},
          (r.records ?? []).map((x) =>
            h(
              'tr',
              { class: x.seq === r.brokenAt ? 'break' : undefined },
              h('td', {}, String(x.seq)),
              h('td', {}, x.kind),
              h('td', { class: 'mono' }, JSON.stringify(x.detail)),
              h('td', { class: 'mono' }, x.hash.slice(0, 16)),
            ),
          ),
        ),
      );
    }
    await search();
  };
  main.append(
    h('h1', {}, t('audit')),
    h(
      'form',
      { class: 'toolbar', onsubmit: (e: Event) => (e.preventDefault(), void search()) },
      kind,
      kiosk,
      request,
      from,
      to,
      h('button', { class: 'action', type: 'submit', 'data-testid': 'audit-search' }, '🔍'),
      h(
        'button',
        { class: 'action', type: 'button', 'data-testid': 'audit-check', onclick: () => void runCheck() },
        t('check'),
      ),
    ),
    check,
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, '#'),
          h('th', {}, t('at')),
          h('th', {}, t('kind')),
          h('th', {}, t('kiosk')),
          h('th', {}, t('requestId')),
          h('th', {}, t('municipality')),
          h('th', {}, t('detail')),
        ),
      ),
      tbody,
    ),
  );
  void search();
  return () => undefined;
}
