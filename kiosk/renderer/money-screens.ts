import type { ScreenView } from '../shared/view.js';
import { button, h } from './dom.js';
import { residentMessage, type Lang } from './i18n.js';
import type { Rendered, ScreenContext } from './screens.js';

type View<S extends ScreenView['screen']> = Extract<ScreenView, { screen: S }>;

/** Texts of the money and printer-fault parts of the screens. Functions take only non-personal numbers. */
const MONEY_TEXT = {
  ja: {
    yen: (n: number) => `${n.toLocaleString('ja-JP')}円`,
    money: (v: number) => (v >= 1000 ? `${v.toLocaleString('ja-JP')}円札` : `${v}円玉`),
    accepts: (list: string) => `使えるお金：${list}`,
    exactOnly: 'ただいまおつりが出せません。おつりの要らない金額でお支払いください。',
    blockedTitle: 'ただいまお支払いいただけません',
    blockedLead: 'お金はまだお預かりしていません。',
    callStaff: '店員をお呼びください。',
    tryAgain: 'もう一度確かめる',
    fault: {
      PRINTER_PAPER_OUT: '用紙切れです。',
      PRINTER_PAPER_SHORT: '用紙の残りが足りないため、ご希望の通数を印刷できません。',
      PRINTER_COVER_OPEN: 'プリンターのカバーが開いています。',
      PRINTER_JAM: '紙づまりです。',
      PRINTER_OFFLINE: 'プリンターが止まっています。',
      PRINTER_GONE: 'プリンターが接続されていません。',
    } as Record<string, string>,
    faultOther: 'プリンターが止まっています。',
    faultLead: '店員をお呼びください。直りしだい、続きを自動で印刷します。',
    refundIn: (s: number) => `${s}秒たっても直らないときは、中止して印刷していない分を返金できます。`,
    refundNow: '中止して、印刷していない分を返金できます。',
    stop: (yen: number) => `中止して返金する（${yen.toLocaleString('ja-JP')}円）`,
    change: (yen: number) => `おつり ${yen.toLocaleString('ja-JP')}円 をお取りください。`,
  },
  en: {
    yen: (n: number) => `¥${n.toLocaleString('en-US')}`,
    money: (v: number) => (v >= 1000 ? `¥${v.toLocaleString('en-US')} notes` : `¥${v} coins`),
    accepts: (list: string) => `Accepted: ${list}`,
    exactOnly: 'Change cannot be given right now. Please pay an amount that needs no change.',
    blockedTitle: 'Payment is not possible right now',
    blockedLead: 'No money has been taken.',
    callStaff: 'Please call a member of staff.',
    tryAgain: 'Check again',
    fault: {
      PRINTER_PAPER_OUT: 'The printer is out of paper.',
      PRINTER_PAPER_SHORT: 'There is not enough paper left for the copies you asked for.',
      PRINTER_COVER_OPEN: 'The printer cover is open.',
      PRINTER_JAM: 'The paper is jammed.',
      PRINTER_OFFLINE: 'The printer has stopped.',
      PRINTER_GONE: 'The printer is not connected.',
    } as Record<string, string>,
    faultOther: 'The printer has stopped.',
    faultLead: 'Please call a member of staff. Printing continues by itself once it is fixed.',
    refundIn: (s: number) =>
      `If it is not fixed within ${s} seconds, you can stop and get the fee for the unprinted copies back.`,
    refundNow: 'You can stop and get the fee for the unprinted copies back.',
    stop: (yen: number) => `Stop and refund (¥${yen.toLocaleString('en-US')})`,
    change: (yen: number) => `Please take your change: ¥${yen.toLocaleString('en-US')}.`,
  },
} as const;

const text = (lang: Lang) => MONEY_TEXT[lang];

/** The payment screen's lines on what can be paid with. */
export function paymentNotes(v: View<'payment'>, c: ScreenContext): HTMLElement[] {
  const m = text(c.lang);
  const out: HTMLElement[] = [];
  if (v.exactOnly)
    out.push(h('p', { text: m.exactOnly, class: 'warning', role: 'alert', testid: 'exact-only' }));
  if (v.accepts && v.accepts.length > 0)
    out.push(h('p', { text: m.accepts(v.accepts.map(m.money).join('、')), testid: 'accepts' }));
  return out;
}

/** A device the job needs is not ready: nothing was taken. */
export function renderPaymentBlocked(v: View<'payment-blocked'>, c: ScreenContext): Rendered {
  const m = text(c.lang);
  return {
    title: m.blockedTitle,
    alert: true,
    body: [
      h('p', {
        text: m.fault[v.code] ?? residentMessage(v.code, c.lang),
        class: 'warning',
        role: 'alert',
        testid: 'blocked-reason',
      }),
      h('p', { text: `${m.blockedLead}${m.callStaff}`, class: 'lead', testid: 'blocked-lead' }),
      h('p', { text: c.t.errorCode(v.code), class: 'code', testid: 'error-code' }),
      h(
        'div',
        { class: 'actions' },
        button(m.tryAgain, () => void c.api.confirm(), { testid: 'check-again' }),
        button(c.t.cancel, () => void c.api.cancel(), { testid: 'cancel', kind: 'secondary' }),
      ),
    ],
  };
}

/** The printing screen's fault block: what happened, call staff, and the refund offer. */
export function printingFault(v: View<'printing'>, c: ScreenContext, now = Date.now()): HTMLElement[] {
  if (!v.fault) return [];
  const m = text(c.lang);
  const wait = v.refundAt ? Math.max(1, Math.ceil((v.refundAt - now) / 1000)) : null;
  return [
    h('p', {
      text: m.fault[v.fault] ?? m.faultOther,
      class: 'warning',
      role: 'alert',
      testid: 'printer-fault',
    }),
    h('p', { text: m.faultLead, class: 'lead', testid: 'call-staff' }),
    h('p', { text: c.t.errorCode(v.fault), class: 'code', testid: 'error-code' }),
    v.refundOffered
      ? h(
          'div',
          { class: 'actions' },
          h('p', { text: m.refundNow, testid: 'refund-offer' }),
          button(m.stop(v.refund ?? 0), () => void c.api.refund(), { testid: 'stop-refund' }),
        )
      : h('p', { text: m.refundIn(wait ?? 0), testid: 'refund-wait' }),
  ];
}

/** The take-certificate screen's change reminder. */
export function changeReminder(v: View<'take-certificate'>, c: ScreenContext): HTMLElement | null {
  if (!v.change) return null;
  return h('p', { text: text(c.lang).change(v.change), class: 'reminder', testid: 'change-reminder' });
}
