import { h } from '../dom.js';
import { issueText, t, type Key } from '../i18n.js';

export const badge = (status: string): HTMLElement =>
  h(
    'span',
    { class: `badge ${status}`, 'data-testid': 'status' },
    ['red', 'yellow', 'green', 'revoked'].includes(status) ? t(status as Key) : status,
  );

export const issuesText = (issues: string[]): string => issues.map(issueText).join(', ');

export const time = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'ja-JP') : '—';

export const shortId = (id: string | null | undefined): string => (id ? `${id.slice(0, 10)}…` : '—');

export interface Prefecture {
  code: string;
  ja: string;
  en: string;
  x: number;
  y: number;
}
