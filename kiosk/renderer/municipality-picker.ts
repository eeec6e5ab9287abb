import {
  KANA_ROWS,
  PREFECTURES,
  REGIONS,
  findMunicipality,
  municipalityLabel,
  type MunicipalityInfo,
} from '../../protocol/municipalities/index.js';
import { button, h } from './dom.js';
import type { Lang } from './i18n.js';
import { PICKER_TEXT } from './picker-text.js';

/**
 * The municipality picker: prefecture first (the 47 as tiles grouped by region, north to south), then the
 * municipality through an index (the kana rows あ か さ … in Japanese, first letters in English) and pages of
 * {@link PAGE_SIZE}. The largest index entry of any prefecture (Hokkaido's あ row, 40 names) fits two pages,
 * so any municipality is at most four touches away: prefecture, index, next page, municipality.
 *
 * Which prefecture, index entry and page is shown is the renderer's own state (no personal data); only the
 * chosen code goes to the main process.
 */
export const PAGE_SIZE = 20;

export interface PickerState {
  prefecture: string | null;
  tab: string | null;
  page: number;
}

export const pickerState: PickerState = { prefecture: null, tab: null, page: 0 };

export function resetPicker(): void {
  pickerState.prefecture = null;
  pickerState.tab = null;
  pickerState.page = 0;
}

export interface PickerContext {
  lang: Lang;
  /** Draw again after a change of prefecture, index or page; moves focus to the picker's heading. */
  refresh(): void;
  choose(code: string): void;
  cancelButton(): HTMLElement;
}

/** The index key of a municipality in a language: its kana row, or the first letter of its English name. */
function tabOf(m: MunicipalityInfo, lang: Lang): string {
  return lang === 'ja' ? m.row : m.romaji.charAt(0);
}

function sortFor(lang: Lang): (a: MunicipalityInfo, b: MunicipalityInfo) => number {
  return lang === 'ja'
    ? (a, b) => a.kana.localeCompare(b.kana, 'ja')
    : (a, b) => a.romaji.localeCompare(b.romaji, 'en');
}

/** The index entries of a prefecture's served municipalities, in order, with their members sorted. */
export function indexOf(list: readonly MunicipalityInfo[], lang: Lang): Map<string, MunicipalityInfo[]> {
  const keys = lang === 'ja' ? [...KANA_ROWS] : [...new Set(list.map((m) => tabOf(m, lang)))].sort();
  const out = new Map<string, MunicipalityInfo[]>();
  for (const k of keys) {
    const members = list.filter((m) => tabOf(m, lang) === k).sort(sortFor(lang));
    if (members.length > 0) out.set(k, members);
  }
  return out;
}

function servedIn(codes: readonly string[], prefecture: string): MunicipalityInfo[] {
  const out: MunicipalityInfo[] = [];
  for (const c of codes) {
    const m = findMunicipality(c);
    if (m !== undefined && m.prefecture === prefecture) out.push(m);
  }
  return out;
}

const heading = (text: string) =>
  h('h2', { text, class: 'picker-heading', testid: 'picker-heading', attrs: { tabindex: '-1' } });

function prefectureGrid(codes: readonly string[], c: PickerContext): HTMLElement[] {
  const t = PICKER_TEXT[c.lang];
  const served = new Set(codes.map((x) => x.slice(0, 2)));
  const rows = REGIONS.map((r) =>
    h(
      'div',
      { class: 'region', role: 'group', label: c.lang === 'ja' ? r.name : r.nameEn },
      h('span', {
        class: 'region-name',
        text: c.lang === 'ja' ? r.name : r.nameEn,
        attrs: { 'aria-hidden': 'true' },
      }),
      ...PREFECTURES.filter((p) => Number(p.code) >= r.from && Number(p.code) <= r.to).map((p) => {
        const b = button(
          c.lang === 'ja' ? p.name : p.nameEn,
          () => {
            pickerState.prefecture = p.code;
            pickerState.tab = null;
            pickerState.page = 0;
            c.refresh();
          },
          { testid: `prefecture-${p.code}`, kind: 'tile' },
        );
        if (!served.has(p.code)) b.disabled = true;
        return b;
      }),
    ),
  );
  return [
    heading(t.choosePrefecture),
    h('div', { class: 'prefectures', role: 'group', label: t.prefectures, testid: 'prefectures' }, ...rows),
    h('div', { class: 'actions' }, c.cancelButton()),
  ];
}

function municipalityPage(codes: readonly string[], prefecture: string, c: PickerContext): HTMLElement[] {
  const t = PICKER_TEXT[c.lang];
  const pref = PREFECTURES.find((p) => p.code === prefecture);
  const prefName = pref ? (c.lang === 'ja' ? pref.name : pref.nameEn) : prefecture;
  const list = servedIn(codes, prefecture);
  const index = indexOf(list, c.lang);
  // A prefecture that fits one page needs no index.
  const useIndex = list.length > PAGE_SIZE;
  const tab = useIndex
    ? pickerState.tab !== null && index.has(pickerState.tab)
      ? pickerState.tab
      : ([...index.keys()][0] ?? null)
    : null;
  const shown = tab === null ? [...list].sort(sortFor(c.lang)) : (index.get(tab) ?? []);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const page = Math.min(pickerState.page, pages - 1);
  const items = shown.slice(page * PAGE_SIZE, page * PAGE_SIZE + PAGE_SIZE);
  const go = (next: Partial<PickerState>) => {
    Object.assign(pickerState, next);
    c.refresh();
  };
  const tabs = useIndex
    ? h(
        'div',
        { class: 'tabs', role: 'group', label: t.index, testid: 'index' },
        ...[...index.keys()].map((k) => {
          const b = button(k, () => go({ tab: k, page: 0 }), { testid: `index-${k}`, kind: 'tab' });
          b.setAttribute('aria-label', t.indexTab(k));
          b.setAttribute('aria-pressed', String(k === tab));
          return b;
        }),
      )
    : null;
  const grid = h(
    'div',
    { class: 'municipalities', role: 'group', label: t.chooseIn(prefName), testid: 'municipalities' },
    ...items.map((m) => {
      const b = button(c.lang === 'ja' ? m.name : m.nameEn, () => c.choose(m.code), {
        testid: `municipality-${m.code}`,
        kind: 'tile',
      });
      b.setAttribute('aria-label', municipalityLabel(m.code, c.lang));
      return b;
    }),
  );
  const prev = button(t.previous, () => go({ page: page - 1 }), {
    testid: 'page-previous',
    kind: 'secondary page',
  });
  const next = button(t.next, () => go({ page: page + 1 }), { testid: 'page-next', kind: 'secondary page' });
  prev.disabled = page === 0;
  next.disabled = page >= pages - 1;
  const body: (HTMLElement | null)[] = [
    heading(t.chooseIn(prefName)),
    tabs,
    list.length === 0 ? h('p', { text: t.none, class: 'lead' }) : grid,
    h(
      'div',
      { class: 'actions pager' },
      button(t.back, () => go({ prefecture: null, tab: null, page: 0 }), {
        testid: 'prefecture-back',
        kind: 'secondary',
      }),
      pages > 1 ? prev : null,
      pages > 1
        ? h('span', { text: t.page(page + 1, pages), class: 'page-of', testid: 'page-of', live: 'polite' })
        : null,
      pages > 1 ? next : null,
      c.cancelButton(),
    ),
  ];
  return body.filter((x): x is HTMLElement => x !== null);
}

/** The picker's body for the municipality screen. */
export function renderMunicipalityPicker(codes: readonly string[], c: PickerContext): HTMLElement[] {
  return pickerState.prefecture === null
    ? prefectureGrid(codes, c)
    : municipalityPage(codes, pickerState.prefecture, c);
}
