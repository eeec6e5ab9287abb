import type { KioskApi } from '../shared/api.js';
import type { ScreenView } from '../shared/view.js';
import { municipalityLabel } from '../../protocol/municipalities/index.js';
import { button, h } from './dom.js';
import { residentMessage, type Lang, type Texts } from './i18n.js';
import { changeReminder, paymentNotes, printingFault, renderPaymentBlocked } from './money-screens.js';
import { renderMunicipalityPicker } from './municipality-picker.js';

export interface ScreenContext {
  t: Texts;
  lang: Lang;
  api: KioskApi;
  /** Draws the current view again (a screen's own navigation, e.g. the municipality picker's pages). */
  refresh(): void;
}

export interface Rendered {
  /** Read out by screen readers and shown as the heading. */
  title: string;
  body: (HTMLElement | null | false)[];
  /** Shows an alert style (errors, reminders). */
  alert?: boolean;
}

const cancelButton = (c: ScreenContext) =>
  button(c.t.cancel, () => void c.api.cancel(), { testid: 'cancel', kind: 'secondary' });
const p = (text: string, testid?: string) => h('p', { text, class: 'lead', ...(testid ? { testid } : {}) });

function cardReminder(c: ScreenContext, reminder: boolean): HTMLElement {
  return h('p', {
    text: c.t.takeYourCard,
    class: reminder ? 'reminder blink' : 'reminder',
    role: 'alert',
    testid: 'card-reminder',
  });
}

/** Draws one screen. Every view field shown here is non-secret; the PIN is only a count of dots. */
export function renderScreen(v: ScreenView, c: ScreenContext): Rendered {
  const { t } = c;
  switch (v.screen) {
    case 'attract':
      return {
        title: t.appTitle,
        body: v.available
          ? [
              p(t.attractLead),
              p(t.attractPlace),
              button(t.attractStart, () => void c.api.startTransaction(), { testid: 'start' }),
            ]
          : [p(t.unavailable, 'unavailable')],
      };
    case 'place-card':
      return {
        title: t.placeCard,
        body: [
          v.again
            ? h('p', {
                text: t.placeCardAgain(t.pinName[v.again]),
                role: 'alert',
                testid: 'place-card-again',
              })
            : null,
          h('div', { class: 'card-art', attrs: { 'aria-hidden': 'true' } }),
          cancelButton(c),
        ],
      };
    case 'menu':
      return {
        title: t.menuTitle,
        body: [
          button(t.serviceCovid, () => void c.api.chooseService(), { testid: 'service-covid' }),
          cancelButton(c),
        ],
      };
    case 'busy':
      return {
        title: t.busy[v.task],
        body: [
          h('div', { class: 'spinner', role: 'progressbar', label: t.busy[v.task] }),
          v.task === 'querying' || v.task === 'loading-municipalities' ? cancelButton(c) : null,
        ],
      };
    case 'pin': {
      const dots = h(
        'div',
        {
          class: 'pin-dots',
          role: 'status',
          label: t.pinDigits(v.digits, v.length),
          testid: 'pin-dots',
          live: 'polite',
        },
        ...Array.from({ length: v.length }, (_, i) =>
          h('span', { class: i < v.digits ? 'dot on' : 'dot', attrs: { 'aria-hidden': 'true' } }),
        ),
      );
      dots.dataset['digits'] = String(v.digits);
      return {
        title: t.pinTitle,
        alert: v.wrong,
        body: [
          v.again ? h('p', { text: t.pinAgain, testid: 'pin-again' }) : null,
          p(v.pinKind === 'jpki' ? t.pinLeadJpki : t.pinLead),
          dots,
          v.wrong && v.triesLeft !== null
            ? h('p', { text: t.pinWrong(v.triesLeft), class: 'warning', role: 'alert', testid: 'pin-wrong' })
            : null,
          v.triesLeft !== null ? h('p', { text: t.pinTries(v.triesLeft), testid: 'pin-tries' }) : null,
          v.otherPin
            ? h('p', {
                text: t.pinOtherTries(t.pinName[v.otherPin.pinKind], v.otherPin.triesLeft),
                testid: 'pin-other-tries',
              })
            : null,
          cancelButton(c),
        ],
      };
    }
    case 'remove-card':
      return {
        title: t.removeCard,
        alert: v.reminder,
        body: [p(t.removeLead), cardReminder(c, v.reminder), cancelButton(c)],
      };
    case 'municipality':
      return {
        title: t.municipalityTitle,
        body: renderMunicipalityPicker(v.list, {
          lang: c.lang,
          refresh: c.refresh,
          choose: (code) => void c.api.chooseMunicipality(code),
          cancelButton: () => cancelButton(c),
        }),
      };
    case 'cert-type':
      return {
        title: t.certTypeTitle,
        body: [
          button(t.domestic, () => void c.api.chooseCertType('domestic'), { testid: 'cert-domestic' }),
          button(t.overseas, () => void c.api.chooseCertType('overseas'), { testid: 'cert-overseas' }),
          p(t.overseasNote),
          cancelButton(c),
        ],
      };
    case 'copies':
      return {
        title: t.copiesTitle,
        body: [
          h(
            'div',
            { class: 'grid', role: 'group', label: t.copiesTitle },
            ...Array.from({ length: v.max }, (_, i) =>
              button(t.copy(i + 1, (i + 1) * v.feePerCopy), () => void c.api.chooseCopies(i + 1), {
                testid: `copies-${i + 1}`,
              }),
            ),
          ),
          cancelButton(c),
        ],
      };
    case 'preview': {
      const r = v.preview;
      const row = (k: string, val: string, testid?: string) =>
        h(
          'tr',
          {},
          h('th', { text: k, attrs: { scope: 'row' } }),
          h('td', { text: val, ...(testid ? { testid } : {}) }),
        );
      const doses = h(
        'table',
        { class: 'doses', testid: 'preview-doses' },
        h('caption', { text: t.previewTitle, class: 'sr-only' }),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[t.previewDose, t.previewDate, t.previewVaccine, t.previewLot].map((x) =>
              h('th', { text: x, attrs: { scope: 'col' } }),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...r.doses.map((d) =>
            h(
              'tr',
              {},
              ...[
                String(d.dose),
                d.date,
                c.lang === 'en' ? (d.vaccineEn ?? d.vaccine) : d.vaccine,
                d.lot ?? '—',
              ].map((x) => h('td', { text: x })),
            ),
          ),
        ),
      );
      return {
        title: t.previewTitle,
        body: [
          h(
            'div',
            { class: 'preview-grid' },
            h(
              'table',
              { class: 'facts' },
              h(
                'tbody',
                {},
                row(t.previewName, r.name, 'preview-name'),
                r.nameEn && v.certType === 'overseas' ? row(t.previewNameEn, r.nameEn) : null,
                row(t.previewBirth, r.birthDate),
                // The overseas version prints these: the resident checks them before paying.
                v.certType === 'overseas' && r.nationality
                  ? row(t.previewNationality, r.nationality, 'preview-nationality')
                  : null,
                v.certType === 'overseas' && r.passportNumber
                  ? row(t.previewPassport, r.passportNumber, 'preview-passport')
                  : null,
                r.municipality
                  ? row(
                      t.previewMunicipality,
                      municipalityLabel(r.municipality, c.lang),
                      'preview-municipality',
                    )
                  : null,
                row(t.previewType, v.certType === 'domestic' ? t.domestic : t.overseas),
                row(t.previewCopies, String(v.copies)),
                row(t.previewFee, t.yen(v.fee), 'preview-fee'),
              ),
            ),
            doses,
          ),
          // Side by side, so the records and both buttons fit a 1280 × 720 kiosk screen without scrolling.
          h(
            'div',
            { class: 'actions' },
            button(t.confirm(v.fee), () => void c.api.confirm(), { testid: 'confirm' }),
            cancelButton(c),
          ),
        ],
      };
    }
    case 'payment': {
      const remaining = Math.max(0, v.due - v.inserted);
      return {
        title: t.paymentTitle,
        body: [
          p(t.paymentLead),
          h(
            'dl',
            { class: 'money', live: 'polite' },
            h('dt', { text: t.paymentDue }),
            h('dd', { text: t.yen(v.due), testid: 'due' }),
            h('dt', { text: t.paymentInserted }),
            h('dd', { text: t.yen(v.inserted), testid: 'inserted' }),
            h('dt', { text: t.paymentRemaining }),
            h('dd', { text: t.yen(remaining), testid: 'remaining' }),
          ),
          ...paymentNotes(v, c),
          cancelButton(c),
        ],
      };
    }
    case 'payment-blocked':
      return renderPaymentBlocked(v, c);
    case 'printing':
      return {
        title: t.printing(v.copy, v.copies),
        alert: Boolean(v.fault),
        body: v.fault
          ? printingFault(v, c)
          : [
              h('div', { class: 'spinner', role: 'progressbar', label: t.printing(v.copy, v.copies) }),
              p(t.printingLead),
            ],
      };
    case 'print-failed':
      return {
        title: t.printFailedTitle,
        alert: true,
        body: [
          h('p', {
            text: residentMessage(v.code, c.lang),
            class: 'warning',
            role: 'alert',
            testid: 'error-text',
          }),
          h('p', { text: t.errorCode(v.code), class: 'code', testid: 'error-code' }),
          v.printed > 0 ? p(t.printedSoFar(v.printed, v.copies)) : null,
          button(t.retry, () => void c.api.retryPrint(), { testid: 'retry' }),
          button(t.refund(v.refund), () => void c.api.refund(), { testid: 'refund', kind: 'secondary' }),
        ],
      };
    case 'take-certificate':
      return {
        title: t.takeTitle,
        alert: v.reminder,
        body: [
          h('p', {
            text: t.takeLead(v.copies),
            class: v.reminder ? 'reminder blink' : 'lead',
            role: 'alert',
            testid: 'take-lead',
          }),
          v.notice
            ? h('p', { text: residentMessage(v.notice, c.lang), class: 'warning', testid: 'notice' })
            : null,
          changeReminder(v, c),
          button(t.took(v.copies), () => void c.api.done(), { testid: 'done' }),
        ],
      };
    case 'ended':
      return {
        title: v.reason === 'cancelled' ? t.cancelled : v.reason === 'timeout' ? t.timeout : t.refunded,
        alert: v.reminder,
        body: [
          v.refunded > 0 ? p(t.refundedAmount(v.refunded), 'refunded') : null,
          v.cardOnReader
            ? cardReminder(c, v.reminder)
            : button(t.ok, () => void c.api.done(), { testid: 'done' }),
        ],
      };
    case 'error':
      return {
        title: t.errorTitle,
        alert: true,
        body: [
          h('p', {
            text: residentMessage(v.code, c.lang),
            class: 'warning',
            role: 'alert',
            testid: 'error-text',
          }),
          h('p', { text: t.errorCode(v.code), class: 'code', testid: 'error-code' }),
          v.refunded > 0 ? p(t.refundedAmount(v.refunded), 'refunded') : null,
          v.cardOnReader
            ? cardReminder(c, v.reminder)
            : button(t.ok, () => void c.api.done(), { testid: 'done' }),
        ],
      };
    default: {
      const never: never = v;
      throw new TypeError(`unknown screen ${JSON.stringify(never)}`);
    }
  }
}
