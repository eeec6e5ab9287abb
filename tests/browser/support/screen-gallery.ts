import { MUNICIPALITIES } from '../../../protocol/municipalities/index.js';
import type { RecordPreview, ScreenName, ScreenView } from '../../../kiosk/shared/view.js';

/** A fictional resident with the longest content a screen must hold: seven doses, a long name. */
const LONGEST: RecordPreview = {
  name: '試験 長名前太郎左衛門之助',
  nameEn: 'SHIKEN NAGANAMAETAROUZAEMONNOSUKE',
  birthDate: '1950-01-01',
  nationality: 'JPN',
  passportNumber: 'TZ0000000',
  municipality: '012343',
  doses: Array.from({ length: 7 }, (_, i) => ({
    dose: i + 1,
    date: `202${1 + Math.floor(i / 3)}-0${(i % 9) + 1}-15`,
    vaccine: 'スパイクバックス(BA.4-5)',
    vaccineEn: 'Spikevax Bivalent (Original/Omicron BA.4-5)',
    lot: 'AB1234567890',
  })),
};

/**
 * Every screen of the resident's flow, each in its fullest state. A `Record` over the screen names: a new
 * screen does not type-check until it is added here, so the browser tests (fit at both panel sizes, the
 * accessibility audit, Japanese line breaks) always cover every screen.
 */
export const SCREEN_GALLERY: Record<ScreenName, ScreenView[]> = {
  attract: [
    { screen: 'attract', available: true },
    { screen: 'attract', available: false },
  ],
  'place-card': [{ screen: 'place-card' }, { screen: 'place-card', again: 'card-ap' }],
  menu: [{ screen: 'menu' }],
  busy: [
    { screen: 'busy', task: 'reading-card' },
    { screen: 'busy', task: 'querying' },
  ],
  pin: [
    { screen: 'pin', digits: 3, length: 4, triesLeft: 1, wrong: true },
    {
      screen: 'pin',
      digits: 0,
      length: 4,
      triesLeft: 2,
      wrong: true,
      pinKind: 'card-ap',
      again: true,
      otherPin: { pinKind: 'jpki', triesLeft: 0 },
    },
  ],
  'remove-card': [{ screen: 'remove-card', reminder: true }],
  municipality: [{ screen: 'municipality', list: MUNICIPALITIES.map((m) => m.code) }],
  'cert-type': [{ screen: 'cert-type' }],
  copies: [{ screen: 'copies', max: 10, feePerCopy: 120 }],
  preview: [
    { screen: 'preview', preview: LONGEST, certType: 'overseas', copies: 10, fee: 1200 },
    { screen: 'preview', preview: LONGEST, certType: 'domestic', copies: 1, fee: 120 },
  ],
  payment: [
    { screen: 'payment', due: 1200, inserted: 500 },
    { screen: 'payment', due: 600, inserted: 100, accepts: [10, 50, 100], exactOnly: true },
  ],
  'payment-blocked': [{ screen: 'payment-blocked', code: 'PRINTER_PAPER_OUT', fee: 1200 }],
  printing: [
    { screen: 'printing', copy: 2, copies: 10 },
    {
      screen: 'printing',
      copy: 2,
      copies: 10,
      fault: 'PRINTER_PAPER_OUT',
      refundAt: 0,
      refundOffered: true,
      refund: 1080,
    },
  ],
  'print-failed': [
    { screen: 'print-failed', code: 'PRINTER_PAPER_OUT', printed: 1, copies: 10, refund: 1080 },
  ],
  'take-certificate': [
    { screen: 'take-certificate', copies: 2, reminder: true, notice: 'KIOSK_CHANGE_NOT_PAID' },
    { screen: 'take-certificate', copies: 1, reminder: false, notice: null },
    { screen: 'take-certificate', copies: 1, reminder: false, notice: 'KIOSK_PARTLY_REFUNDED', change: 1080 },
  ],
  ended: [
    { screen: 'ended', reason: 'refunded', refunded: 1200, cardOnReader: true, reminder: true },
    { screen: 'ended', reason: 'timeout', refunded: 0, cardOnReader: false, reminder: false },
  ],
  error: [{ screen: 'error', code: 'VRS_NO_RECORD', refunded: 1200, cardOnReader: false, reminder: false }],
};

/** All gallery views with a name for the test title. */
export function galleryViews(): { name: string; view: ScreenView }[] {
  return Object.entries(SCREEN_GALLERY).flatMap(([name, views]) =>
    views.map((view, i) => ({ name: views.length > 1 ? `${name} #${i + 1}` : name, view })),
  );
}
