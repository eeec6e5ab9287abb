import uPlot from 'uplot';
import { on } from '../api.js';
import { clear, h } from '../dom.js';
import { t } from '../i18n.js';

interface Sample {
  t: number;
  sessions: number;
  handshakesOk: number;
  handshakesFailed: number;
  requests: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  errors: Record<string, number>;
}
interface Proc {
  id: string;
  ageMs: number;
  sample: Sample;
}

const WINDOW = 300;

/** Live: sessions, handshakes, requests, latency percentiles and errors, per relay process and in total (uPlot). */
export function livePage(main: HTMLElement): () => void {
  const charts = h('div', { class: 'charts', 'data-testid': 'live-charts' });
  const errors = h('table', { 'data-testid': 'live-errors' });
  const procs = h('table', { 'data-testid': 'live-processes' });
  main.append(
    h('h1', {}, t('live')),
    charts,
    h(
      'div',
      { class: 'grid2' },
      h('div', { class: 'card' }, h('h2', {}, t('errors')), errors),
      h('div', { class: 'card' }, h('h2', {}, t('processes')), procs),
    ),
  );
  const xs: number[] = [];
  const series = new Map<string, number[]>(); // `${metric}|${process}` → values
  const plots = new Map<string, uPlot>();
  const errorTotals = new Map<string, number>();
  let seen = 0;
  const metrics: Array<[string, string, (s: Sample) => number | null]> = [
    ['sessions', t('sessions'), (s) => s.sessions],
    ['handshakes', t('handshakes'), (s) => s.handshakesOk + s.handshakesFailed],
    ['requests', t('requests'), (s) => s.requests],
    ['p99', t('latency'), (s) => s.p99],
  ];
  const off = on('live', (data) => {
    const list = data as Proc[];
    const now = Math.floor(Date.now() / 1000);
    if (xs[xs.length - 1] === now) return;
    xs.push(now);
    const ids = [...list.map((p) => p.id).sort(), 'total'];
    for (const [key, , pick] of metrics) {
      let total = 0;
      for (const id of ids) {
        const p = list.find((x) => x.id === id);
        const v =
          id === 'total'
            ? key === 'p99'
              ? Math.max(0, ...list.map((x) => x.sample.p99 ?? 0))
              : total
            : p
              ? pick(p.sample)
              : null;
        if (id !== 'total' && typeof v === 'number') total += v;
        const k = `${key}|${id}`;
        let arr = series.get(k);
        if (arr === undefined) series.set(k, (arr = new Array<number>(xs.length - 1).fill(NaN)));
        arr.push(v ?? NaN);
      }
    }
    for (const arr of series.values()) {
      while (arr.length < xs.length) arr.push(NaN);
      if (arr.length > WINDOW) arr.splice(0, arr.length - WINDOW);
    }
    if (xs.length > WINDOW) xs.splice(0, xs.length - WINDOW);
    for (const p of list)
      for (const [code, n] of Object.entries(p.sample.errors ?? {}))
        errorTotals.set(code, (errorTotals.get(code) ?? 0) + n);
    for (const [key, label] of metrics) draw(key, label, ids);
    clear(errors);
    for (const [code, n] of [...errorTotals].sort((a, b) => b[1] - a[1]))
      errors.append(h('tr', {}, h('td', { class: 'mono' }, code), h('td', {}, String(n))));
    clear(procs);
    for (const p of list)
      procs.append(
        h(
          'tr',
          {},
          h('td', { class: 'mono' }, p.id),
          h('td', {}, `${t('sessions')}: ${p.sample.sessions}`),
          h('td', {}, `${t('staleness')}: ${(p.ageMs / 1000).toFixed(1)} s`),
          h('td', {}, `p50/p95/p99: ${p.sample.p50 ?? '—'}/${p.sample.p95 ?? '—'}/${p.sample.p99 ?? '—'} ms`),
        ),
      );
    charts.dataset['samples'] = String(++seen);
  });
  function draw(key: string, label: string, ids: string[]): void {
    const data: uPlot.AlignedData = [xs, ...ids.map((id) => series.get(`${key}|${id}`) ?? [])];
    let plot = plots.get(key);
    if (plot !== undefined && plot.series.length !== ids.length + 1) {
      plot.destroy();
      plot = undefined;
    }
    if (plot === undefined) {
      const box = h('div', { class: 'card', 'data-testid': `chart-${key}` });
      charts.append(box);
      const colors = ['#2563eb', '#16a34a', '#d97706', '#7c3aed', '#0891b2'];
      plot = new uPlot(
        {
          title: label,
          width: 460,
          height: 200,
          series: [
            {},
            ...ids.map((id, i) => ({
              label: id === 'total' ? t('total') : id,
              stroke: id === 'total' ? '#111' : colors[i % colors.length],
              width: id === 'total' ? 2 : 1,
            })),
          ],
          axes: [{}, { size: 50 }],
        },
        data,
        box,
      );
      plots.set(key, plot);
    } else plot.setData(data);
  }
  return () => {
    off();
    for (const p of plots.values()) p.destroy();
  };
}
