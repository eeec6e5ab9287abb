import { api, on } from '../api.js';
import { clear, h } from '../dom.js';
import { getLang, t } from '../i18n.js';
import { badge, issuesText, time, shortId, type Prefecture } from './common.js';

interface Row {
  kioskId: string;
  store: string | null;
  name: string | null;
  municipality: string | null;
  municipalityName: string | null;
  prefecture: string | null;
  status: string;
  issues: string[];
  lastSeenAt: string | null;
  software: string | null;
}

const PAGE = 50;
let prefectures: Prefecture[] | undefined;

/** Fleet: red first, paged on the server; the tile map of the 47 prefectures filters by a click. */
export function fleetPage(main: HTMLElement, params: URLSearchParams): () => void {
  const state = {
    status: params.get('status') ?? '',
    prefecture: params.get('prefecture') ?? '',
    q: params.get('q') ?? '',
    offset: 0,
  };
  const status = h(
    'select',
    {
      'data-testid': 'filter-status',
      onchange: () => ((state.status = status.value), (state.offset = 0), void load(false)),
    },
    ...[
      ['', 'all'],
      ['trouble', 'trouble'],
      ['red', 'red'],
      ['yellow', 'yellow'],
      ['green', 'green'],
      ['revoked', 'revoked'],
    ].map(([v, k]) => h('option', { value: v, selected: state.status === v }, t(k as 'all'))),
  );
  const search = h('input', {
    type: 'search',
    placeholder: t('search'),
    value: state.q,
    'data-testid': 'filter-q',
    size: '32',
  });
  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => ((state.q = search.value), (state.offset = 0), void load(false)), 150);
  });
  const clearBtn = h(
    'button',
    {
      class: 'action',
      'data-testid': 'filter-clear',
      onclick: () => {
        Object.assign(state, { status: '', prefecture: '', q: '', offset: 0 });
        status.value = '';
        search.value = '';
        void load(false);
      },
    },
    t('clearFilter'),
  );
  const counts = h('div', { class: 'counts', 'data-testid': 'fleet-counts' });
  const map = h('div', {
    class: 'tilemap',
    'data-testid': 'tilemap',
    role: 'group',
    'aria-label': t('prefecture'),
  });
  const tbody = h('tbody', { 'data-testid': 'fleet-rows' });
  const pager = h('div', { class: 'pager' });
  main.append(
    h('h1', {}, t('fleet')),
    h('div', { class: 'toolbar' }, t('status'), status, search, clearBtn),
    h(
      'div',
      { class: 'fleet' },
      h('div', {}, map, h('div', { class: 'legend' }, t('mapLegend')), counts),
      h(
        'div',
        {},
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...(
                [
                  'status',
                  'prefecture',
                  'municipality',
                  'store',
                  'kiosk',
                  'devices',
                  'lastSeen',
                  'software',
                ] as const
              ).map((k) => h('th', {}, t(k))),
            ),
          ),
          tbody,
        ),
        pager,
      ),
    ),
  );

  let seq = 0;
  /** The map's last figures: a filter changes the list, not the fleet, so it redraws them without asking. */
  let mapStats: Array<{ prefecture: string; total: number; red: number; yellow: number }> | undefined;
  /** `withMap`: ask for the map too (first load, and when the fleet changed); a filter only asks for its page. */
  async function load(withMap = true): Promise<void> {
    const my = ++seq;
    const qs = new URLSearchParams({ offset: String(state.offset), limit: String(PAGE) });
    if (state.status) qs.set('status', state.status);
    if (state.prefecture) qs.set('prefecture', state.prefecture);
    if (state.q) qs.set('q', state.q);
    const [page, m] = await Promise.all([
      api<{ total: number; rows: Row[] }>('GET', `/api/fleet?${qs}`),
      withMap || mapStats === undefined
        ? api<{ prefectures: Array<{ prefecture: string; total: number; red: number; yellow: number }> }>(
            'GET',
            '/api/fleet/map',
          )
        : Promise.resolve({ prefectures: mapStats }),
      prefectures
        ? Promise.resolve()
        : api<{ prefectures: Prefecture[] }>('GET', '/api/places').then(
            (p) => void (prefectures = p.prefectures),
          ),
    ]);
    if (my !== seq) return;
    mapStats = m.prefectures;
    drawMap(m.prefectures);
    clear(tbody);
    const names = new Map((prefectures ?? []).map((p) => [p.code, getLang() === 'ja' ? p.ja : p.en]));
    for (const r of page.rows)
      tbody.append(
        h(
          'tr',
          {
            class: 'clickable',
            'data-testid': 'fleet-row',
            'data-kiosk': r.kioskId,
            onclick: () => (location.hash = `#/kiosk/${encodeURIComponent(r.kioskId)}`),
          },
          h('td', {}, badge(r.status)),
          h('td', {}, names.get(r.prefecture ?? '') ?? '—'),
          h('td', {}, r.municipalityName ?? r.municipality ?? '—'),
          h('td', { 'data-testid': 'store' }, r.store ?? r.name ?? '—'),
          h('td', { class: 'mono' }, shortId(r.kioskId)),
          h('td', { class: 'issues' }, issuesText(r.issues)),
          h('td', {}, time(r.lastSeenAt)),
          h('td', {}, r.software ?? '—'),
        ),
      );
    clear(pager);
    pager.append(
      h(
        'button',
        {
          class: 'action',
          disabled: state.offset === 0,
          onclick: () => ((state.offset -= PAGE), void load(false)),
        },
        t('prev'),
      ),
      h(
        'span',
        { 'data-testid': 'fleet-total' },
        t('of', {
          a: page.total === 0 ? 0 : state.offset + 1,
          b: Math.min(page.total, state.offset + PAGE),
          n: page.total,
        }),
      ),
      h(
        'button',
        {
          class: 'action',
          disabled: state.offset + PAGE >= page.total,
          onclick: () => ((state.offset += PAGE), void load(false)),
        },
        t('next'),
      ),
    );
    main.dataset['loaded'] = String(my);
  }

  function drawMap(stats: Array<{ prefecture: string; total: number; red: number; yellow: number }>): void {
    const by = new Map(stats.map((s) => [s.prefecture, s]));
    clear(map);
    clear(counts);
    let red = 0;
    let yellow = 0;
    let total = 0;
    for (const p of prefectures ?? []) {
      const s = by.get(p.code) ?? { total: 0, red: 0, yellow: 0 };
      red += s.red;
      yellow += s.yellow;
      total += s.total;
      const share = s.total === 0 ? 0 : (s.red + s.yellow) / s.total;
      const redShare = s.total === 0 ? 0 : s.red / s.total;
      // Green → yellow → red with the share in trouble; red dominates as soon as red kiosks are a tenth.
      const hue =
        s.total === 0 ? 0 : Math.max(0, 120 - Math.min(1, share * 4) * 70 - Math.min(1, redShare * 10) * 50);
      const tile = h(
        'button',
        {
          class: `tile${state.prefecture === p.code ? ' selected' : ''}`,
          title: `${getLang() === 'ja' ? p.ja : p.en}: ${s.red} / ${s.yellow} / ${s.total}`,
          'data-testid': `tile-${p.code}`,
          'data-red': String(s.red),
          onclick: () => {
            state.prefecture = state.prefecture === p.code ? '' : p.code;
            state.offset = 0;
            void load(false);
          },
        },
        getLang() === 'ja' ? p.ja.replace(/[都府県]$/, '') : p.en.slice(0, 4),
      );
      tile.style.gridColumn = String(p.x + 1);
      tile.style.gridRow = String(p.y + 1);
      tile.style.background =
        s.total === 0 ? '#e5e7eb' : `hsl(${hue} 70% ${s.red + s.yellow === 0 ? 75 : 60}%)`;
      map.append(tile);
    }
    counts.append(
      h('span', {}, `${t('red')}: ${red}`),
      h('span', {}, `${t('yellow')}: ${yellow}`),
      h('span', {}, `${t('total')}: ${total}`),
    );
  }

  let pending: ReturnType<typeof setTimeout> | undefined;
  const off = on('fleet', () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      void load();
    }, 100);
  });
  void load();
  return () => {
    off();
    clearTimeout(pending);
  };
}
