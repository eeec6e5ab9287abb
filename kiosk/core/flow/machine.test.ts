import { describe, expect, it } from 'vitest';
import type { ScreenName } from '../../shared/view.js';
import { Gate, settle } from './testing/fakes.js';
import { harness, type Step } from './testing/drive.js';

const screens = (h: ReturnType<typeof harness>): ScreenName[] =>
  h.views.map((v) => v.screen).filter((s, i, a) => i === 0 || a[i - 1] !== s);

describe('the resident flow: happy paths', () => {
  it('issues one domestic copy: every screen in order, fee taken exactly, data wiped, renderer reload asked', async () => {
    const h = harness();
    expect(h.view.screen).toBe('attract');
    await h.goTo('take-certificate');
    expect(screens(h)).toEqual([
      'attract',
      'menu',
      'busy',
      'pin',
      'busy',
      'remove-card',
      'busy',
      'municipality',
      'cert-type',
      'copies',
      'busy',
      'preview',
      'payment',
      'printing',
      'take-certificate',
    ]);
    expect(h.ports.printer.jobs).toHaveLength(1);
    expect(new TextDecoder().decode(h.ports.printer.jobs[0]!.document)).toBe('%PDF cert-1 domestic');
    expect(h.ports.coin.payouts).toEqual([]);
    expect(h.ports.coin.accepting).toBe(false);
    expect(h.ends).toEqual([{ txId: expect.any(Number), reason: 'completed' }]);
    const req = h.ports.relay.requests[0]!;
    expect(req).toMatchObject({ municipality: '131016', certType: 'domestic', copies: 1 });
    // Wiped: no transaction, PIN buffers zeroed, card bytes zeroed, card strings dropped.
    expect(h.flow.transaction).toBeNull();
    expect(h.ports.card.pinsSeen.every((p) => p.every((b) => b === 0))).toBe(true);
    const card = h.ports.card.dataGiven[0]!;
    for (const ef of Object.values(card) as Uint8Array[]) expect(ef.every((b) => b === 0)).toBe(true);
    expect(h.logs.join('\n')).not.toMatch(/CANARY|990000000019|1234/);
    await h.act({ type: 'done' });
    expect(h.view.screen).toBe('attract');
  });

  it('issues two overseas copies, pays change, prints each copy and waits for each job end', async () => {
    const h = harness({}, { copies: 2, certType: 'overseas' });
    await h.goTo('payment');
    expect(h.view).toMatchObject({ screen: 'payment', due: 240, inserted: 0 });
    expect(h.ports.coin.accepting).toBe(true);
    h.ports.coin.insert(100);
    await settle();
    expect(h.view).toMatchObject({ screen: 'payment', inserted: 100 });
    h.ports.printer.gate = new Gate();
    h.ports.coin.insert(100);
    h.ports.coin.insert(100);
    await settle();
    expect(h.view).toMatchObject({ screen: 'printing', copy: 1, copies: 2 });
    expect(h.ports.coin.payouts).toEqual([60]);
    expect(h.ports.coin.accepting).toBe(false);
    h.ports.printer.gate.resolve();
    h.ports.printer.gate = null;
    await settle();
    expect(h.view).toMatchObject({ screen: 'take-certificate', copies: 2, notice: null });
    expect(h.ports.printer.jobs.map((j) => new TextDecoder().decode(j.document))).toEqual([
      '%PDF cert-1 overseas',
      '%PDF cert-1 overseas',
    ]);
  });

  it('the PIN screen learns only the digit count; backspace clears; enter needs 4 digits', async () => {
    const h = harness();
    await h.goTo('pin');
    expect(h.ports.pinpad.entry).toBe(true);
    expect(h.view).toMatchObject({ screen: 'pin', digits: 0, length: 4, triesLeft: 3, wrong: false });
    h.ports.pinpad.type('12');
    expect(h.view).toMatchObject({ digits: 2 });
    h.ports.pinpad.press('backspace');
    expect(h.view).toMatchObject({ digits: 0 });
    expect(h.ports.pinpad.isZeroed()).toBe(true);
    h.ports.pinpad.type('123');
    h.ports.pinpad.press('enter');
    await settle();
    expect(h.view.screen).toBe('pin');
    h.ports.pinpad.type('45678');
    expect(h.view).toMatchObject({ digits: 4 });
    expect(JSON.stringify(h.views)).not.toMatch(/1234|"pin":"/);
    h.ports.pinpad.press('enter');
    await settle();
    expect(h.view.screen).toBe('remove-card');
    expect(h.ports.pinpad.entry).toBe(false);
    expect(h.ports.pinpad.isZeroed()).toBe(true);
  });
});

describe('PIN and card errors', () => {
  it('a wrong PIN shows the remaining tries, then the right PIN goes on', async () => {
    const h = harness();
    await h.goTo('pin');
    h.ports.pinpad.type('9999');
    h.ports.pinpad.press('enter');
    await settle();
    expect(h.view).toMatchObject({ screen: 'pin', triesLeft: 2, wrong: true, digits: 0 });
    h.ports.pinpad.type('1234');
    h.ports.pinpad.press('enter');
    await settle();
    expect(h.view.screen).toBe('remove-card');
    expect(h.ports.card.pinsSeen).toHaveLength(2);
    expect(h.ports.card.pinsSeen.every((p) => p.every((b) => b === 0))).toBe(true);
  });

  it('three wrong PINs lock the card: a clear message, and the card-left reminder', async () => {
    const h = harness();
    await h.goTo('pin');
    for (let i = 0; i < 3; i++) {
      h.ports.pinpad.type('0000');
      h.ports.pinpad.press('enter');
      await settle();
    }
    expect(h.view).toMatchObject({
      screen: 'error',
      code: 'CARD_PIN_LOCKED',
      cardOnReader: true,
      reminder: false,
    });
    expect(h.ends.at(-1)).toMatchObject({ reason: 'error', code: 'CARD_PIN_LOCKED' });
    expect(await h.act({ type: 'done' })).toEqual({ ok: false, code: 'KIOSK_INTENT_NOT_NOW' });
    await h.ports.clock.advance(h.config.cardReminderMs);
    expect(h.view).toMatchObject({ screen: 'error', reminder: true });
    h.ports.card.remove();
    await settle();
    expect(h.view).toMatchObject({ screen: 'error', cardOnReader: false, reminder: false });
    await h.ports.clock.advance(h.config.endedMs);
    expect(h.view.screen).toBe('attract');
  });

  it('an already locked card is refused before the PIN screen', async () => {
    const h = harness();
    h.ports.card.triesLeft = 0;
    h.ports.card.place();
    await h.act({ type: 'choose-service', service: 'covid-vaccine-certificate' });
    expect(h.view).toMatchObject({ screen: 'error', code: 'CARD_PIN_LOCKED' });
    expect(h.ports.card.pinsSeen).toHaveLength(0);
  });

  it('a card removed during PIN entry ends the transaction with CARD_REMOVED', async () => {
    const h = harness();
    await h.goTo('pin');
    h.ports.pinpad.type('12');
    h.ports.card.remove();
    await settle();
    expect(h.view).toMatchObject({ screen: 'error', code: 'CARD_REMOVED', cardOnReader: false });
    expect(h.ports.pinpad.entry).toBe(false);
  });

  it('a card removed while it is being read: CARD_REMOVED, and nothing kept', async () => {
    const h = harness();
    await h.goTo('pin');
    h.ports.card.readGate = new Gate();
    h.ports.pinpad.type('1234');
    h.ports.pinpad.press('enter');
    await settle();
    expect(h.view).toMatchObject({ screen: 'busy', task: 'reading-card' });
    h.ports.card.remove();
    h.ports.card.readGate.resolve();
    await settle();
    expect(h.view).toMatchObject({ screen: 'error', code: 'CARD_REMOVED' });
  });

  it('a reader failure shows its code', async () => {
    const h = harness();
    await h.goTo('pin');
    h.ports.card.failRead = 'CARD_READ_FAILED';
    h.ports.pinpad.type('1234');
    h.ports.pinpad.press('enter');
    await settle();
    expect(h.view).toMatchObject({ screen: 'error', code: 'CARD_READ_FAILED', cardOnReader: true });
  });

  it('a card failing the PIN-counter check shows its code', async () => {
    const h = harness();
    h.ports.card.failTries = 'CARD_AP_MISSING';
    await h.goTo('menu');
    await h.act({ type: 'choose-service', service: 'covid-vaccine-certificate' });
    expect(h.view).toMatchObject({ screen: 'error', code: 'CARD_AP_MISSING' });
  });

  it('waits until the card is gone, with the card-left reminder meanwhile', async () => {
    const h = harness();
    await h.goTo('remove-card');
    expect(h.view).toMatchObject({ reminder: false });
    await h.ports.clock.advance(h.config.cardReminderMs);
    expect(h.view).toMatchObject({ screen: 'remove-card', reminder: true });
    h.ports.card.remove();
    await settle();
    expect(h.view.screen).toBe('municipality');
  });

  it('the service is refused on card placement when the relay is not available', async () => {
    const h = harness();
    h.ports.relay.setUp(false);
    expect(h.view).toMatchObject({ screen: 'attract', available: false });
    expect(await h.act({ type: 'start' })).toEqual({ ok: false, code: 'KIOSK_INTENT_NOT_NOW' });
    h.ports.card.place();
    expect(h.view).toMatchObject({ screen: 'error', code: 'KIOSK_SERVICE_UNAVAILABLE', cardOnReader: true });
  });
});

describe('relay and VRS answers before any fee', () => {
  it('no record: said before payment, no coin taken', async () => {
    const h = harness();
    h.ports.relay.issueAnswer = { ok: true, outcome: 'no-record' };
    await h.goTo('copies');
    await h.act({ type: 'choose-copies', copies: 1 });
    expect(h.view).toMatchObject({ screen: 'error', code: 'VRS_NO_RECORD', refunded: 0 });
    expect(h.ports.coin.accepting).toBe(false);
    expect(h.ends.at(-1)).toMatchObject({ reason: 'error', code: 'VRS_NO_RECORD' });
  });

  it.each(['RELAY_UNREACHABLE', 'RELAY_VRS_UNAVAILABLE', 'VRS_NO_PASSPORT', 'ENVELOPE_BINDING_MISMATCH'])(
    'a failed request (%s) shows its code',
    async (code) => {
      const h = harness();
      h.ports.relay.issueAnswer = { ok: false, code };
      await h.goTo('copies');
      await h.act({ type: 'choose-copies', copies: 1 });
      expect(h.view).toMatchObject({ screen: 'error', code });
      expect(h.flow.transaction).toBeNull();
    },
  );

  it('the municipality list failing shows its code', async () => {
    const h = harness();
    h.ports.relay.listFails = 'RELAY_UNREACHABLE';
    await h.goTo('remove-card');
    h.ports.card.remove();
    await settle();
    expect(h.view).toMatchObject({ screen: 'error', code: 'RELAY_UNREACHABLE' });
  });

  it('refuses a municipality not on the list and copies over the limit', async () => {
    const h = harness();
    await h.goTo('municipality');
    expect(await h.act({ type: 'choose-municipality', code: '999999' })).toEqual({
      ok: false,
      code: 'KIOSK_INTENT_NOT_NOW',
    });
    await h.act({ type: 'choose-municipality', code: '271004' });
    await h.act({ type: 'choose-cert-type', certType: 'domestic' });
    expect(h.view).toMatchObject({ screen: 'copies', max: 5, feePerCopy: 120 });
    expect(await h.act({ type: 'choose-copies', copies: 6 })).toEqual({
      ok: false,
      code: 'KIOSK_INTENT_NOT_NOW',
    });
    expect(await h.act({ type: 'choose-copies', copies: 0 })).toEqual({
      ok: false,
      code: 'KIOSK_BAD_INTENT',
    });
    await h.act({ type: 'choose-copies', copies: 3 });
    expect(h.view).toMatchObject({ screen: 'preview', copies: 3, fee: 360, certType: 'domestic' });
    expect(h.ports.relay.requests[0]).toMatchObject({ municipality: '271004', copies: 3 });
  });
});

describe('cancel at every step', () => {
  const beforeRemoval: Step[] = ['menu', 'pin', 'remove-card'];
  it.each(beforeRemoval)(
    'cancel on %s: card-left reminder until the card is taken, then attract',
    async (step) => {
      const h = harness();
      await h.goTo(step);
      if (step === 'pin') h.ports.pinpad.type('12');
      expect(await h.act({ type: 'cancel' })).toEqual({ ok: true });
      expect(h.view).toMatchObject({ screen: 'ended', reason: 'cancelled', cardOnReader: true, refunded: 0 });
      expect(h.flow.transaction).toBeNull();
      expect(h.ends.at(-1)).toMatchObject({ reason: 'cancelled' });
      await h.ports.clock.advance(h.config.cardReminderMs);
      expect(h.view).toMatchObject({ reminder: true });
      h.ports.card.remove();
      await h.ports.clock.advance(h.config.endedMs);
      expect(h.view.screen).toBe('attract');
    },
  );

  const afterRemoval: Step[] = ['municipality', 'cert-type', 'copies', 'preview'];
  it.each(afterRemoval)('cancel on %s: ended, nothing charged, data wiped', async (step) => {
    const h = harness();
    await h.goTo(step);
    await h.act({ type: 'cancel' });
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'cancelled', cardOnReader: false });
    expect(h.ports.coin.payouts).toEqual([]);
    expect(
      (Object.values(h.ports.card.dataGiven[0]!) as Uint8Array[]).every((ef) => ef.every((b) => b === 0)),
    ).toBe(true);
    await h.act({ type: 'done' });
    expect(h.view.screen).toBe('attract');
  });

  it('cancel on the PIN pad key works like the screen button', async () => {
    const h = harness();
    await h.goTo('pin');
    h.ports.pinpad.press('cancel');
    await settle();
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'cancelled' });
  });

  it('cancel on place-card returns to attract', async () => {
    const h = harness();
    await h.act({ type: 'start' });
    expect(h.view.screen).toBe('place-card');
    await h.act({ type: 'cancel' });
    expect(h.view.screen).toBe('attract');
  });

  it('removing the card on the menu simply ends the transaction', async () => {
    const h = harness();
    await h.goTo('menu');
    h.ports.card.remove();
    expect(h.view.screen).toBe('attract');
    expect(h.ends.at(-1)).toMatchObject({ reason: 'cancelled' });
  });

  it('cancel while the relay is asked: the late answer is dropped', async () => {
    const h = harness();
    await h.goTo('copies');
    h.ports.relay.issueGate = new Gate();
    await h.act({ type: 'choose-copies', copies: 1 });
    expect(h.view).toMatchObject({ screen: 'busy', task: 'querying' });
    await h.act({ type: 'cancel' });
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'cancelled' });
    h.ports.relay.issueGate.resolve();
    await settle();
    expect(h.view).toMatchObject({ screen: 'ended' });
  });

  it('cancel during payment returns every coin inserted', async () => {
    const h = harness({}, { copies: 2 });
    await h.goTo('payment');
    h.ports.coin.insert(100);
    h.ports.coin.insert(50);
    await settle();
    await h.act({ type: 'cancel' });
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'cancelled', refunded: 150 });
    expect(h.ports.coin.payouts).toEqual([150]);
    expect(h.ports.coin.accepting).toBe(false);
    expect(h.ports.printer.jobs).toHaveLength(0);
  });

  it('a coin reported while the entry closes is refunded once, by the cancel', async () => {
    const h = harness({}, { copies: 2 });
    await h.goTo('payment');
    h.ports.coin.insert(100);
    h.ports.coin.lateCoin = 50;
    await settle();
    await h.act({ type: 'cancel' });
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'cancelled', refunded: 150 });
    expect(h.ports.coin.payouts).toEqual([150]);
  });

  it('cancel during payment with a failing hopper: KIOSK_REFUND_FAILED with the amount returned', async () => {
    const h = harness({}, { copies: 2 });
    await h.goTo('payment');
    h.ports.coin.insert(100);
    h.ports.coin.payoutLimit = 50;
    await settle();
    await h.act({ type: 'cancel' });
    expect(h.view).toMatchObject({ screen: 'error', code: 'KIOSK_REFUND_FAILED', refunded: 50 });
  });

  it('no cancel while printing; a coin arriving then is returned at once', async () => {
    const h = harness();
    await h.goTo('payment');
    h.ports.printer.gate = new Gate();
    h.ports.coin.insert(120);
    await settle();
    expect(h.view.screen).toBe('printing');
    expect(await h.act({ type: 'cancel' })).toEqual({ ok: false, code: 'KIOSK_INTENT_NOT_NOW' });
    h.ports.coin.insert(10);
    await settle();
    expect(h.ports.coin.payouts).toEqual([10]);
    h.ports.printer.gate.resolve();
    await settle();
    expect(h.view.screen).toBe('take-certificate');
  });
});

describe('payment and printing failures', () => {
  it('the coin unit failing to start: its code, nothing charged', async () => {
    const h = harness();
    h.ports.coin.enableFails = 'COIN_NO_REPLY';
    await h.goTo('preview');
    await h.act({ type: 'confirm' });
    expect(h.view).toMatchObject({ screen: 'error', code: 'COIN_NO_REPLY', refunded: 0 });
  });

  it('paper out after payment: clear message, retry prints', async () => {
    const h = harness();
    h.ports.printer.results.push({ ok: false, code: 'PRINTER_PAPER_OUT' });
    await h.goTo('payment');
    h.ports.coin.insert(120);
    await settle();
    expect(h.view).toMatchObject({
      screen: 'print-failed',
      code: 'PRINTER_PAPER_OUT',
      printed: 0,
      refund: 120,
    });
    expect(h.flow.transaction).not.toBeNull();
    await h.act({ type: 'retry-print' });
    expect(h.view.screen).toBe('take-certificate');
    expect(h.ports.printer.jobs).toHaveLength(1);
    expect(h.ports.coin.payouts).toEqual([]);
  });

  it('paper out, then refund: the whole fee back, nothing kept', async () => {
    const h = harness();
    h.ports.printer.results.push({ ok: false, code: 'PRINTER_PAPER_OUT' });
    await h.goTo('payment');
    h.ports.coin.insert(120);
    await settle();
    await h.act({ type: 'refund' });
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'refunded', refunded: 120 });
    expect(h.ports.coin.payouts).toEqual([120]);
    expect(h.flow.transaction).toBeNull();
  });

  it('second of three copies fails, refund: the two unprinted copies are paid back, one handed over', async () => {
    const h = harness({}, { copies: 3 });
    h.ports.printer.results.push({ ok: true }, { ok: false, code: 'PRINTER_JAM' });
    await h.goTo('payment');
    h.ports.coin.insert(500);
    await settle();
    expect(h.ports.coin.payouts).toEqual([140]);
    expect(h.view).toMatchObject({
      screen: 'print-failed',
      code: 'PRINTER_JAM',
      printed: 1,
      copies: 3,
      refund: 240,
    });
    await h.act({ type: 'cancel' });
    expect(h.ports.coin.payouts).toEqual([140, 240]);
    expect(h.view).toMatchObject({ screen: 'take-certificate', copies: 1, notice: 'KIOSK_PARTLY_REFUNDED' });
  });

  it('idle on the print-failed screen refunds', async () => {
    const h = harness();
    h.ports.printer.results.push({ ok: false, code: 'PRINTER_COVER_OPEN' });
    await h.goTo('payment');
    h.ports.coin.insert(120);
    await settle();
    await h.ports.clock.advance(h.config.idleMs + h.config.idleWarningMs);
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'timeout', refunded: 120 });
  });

  it('refund failing after a print failure: KIOSK_REFUND_FAILED', async () => {
    const h = harness();
    h.ports.printer.results.push({ ok: false, code: 'PRINTER_PAPER_OUT' });
    await h.goTo('payment');
    h.ports.coin.insert(120);
    await settle();
    h.ports.coin.payoutLimit = 0;
    await h.act({ type: 'refund' });
    expect(h.view).toMatchObject({ screen: 'error', code: 'KIOSK_REFUND_FAILED', refunded: 0 });
  });

  it('certificate rendering failing after payment goes to print-failed (refundable)', async () => {
    const h = harness();
    h.ports.certificate.fail = 'CERT_RENDER_FAILED';
    await h.goTo('payment');
    h.ports.coin.insert(120);
    await settle();
    expect(h.view).toMatchObject({ screen: 'print-failed', code: 'CERT_RENDER_FAILED', refund: 120 });
  });

  it('change that cannot be paid is shown on the take-certificate screen', async () => {
    const h = harness();
    await h.goTo('payment');
    h.ports.coin.payoutLimit = 0;
    h.ports.coin.insert(500);
    await settle();
    expect(h.view).toMatchObject({ screen: 'take-certificate', notice: 'KIOSK_CHANGE_NOT_PAID' });
    expect(h.ports.printer.jobs).toHaveLength(1);
  });
});

describe('idle timeout and reminders', () => {
  it('warns after idleMs, a touch lifts the warning, then the timeout wipes everything', async () => {
    const h = harness();
    await h.goTo('cert-type');
    await h.ports.clock.advance(h.config.idleMs);
    expect(h.view.idleDeadline).toBe(h.ports.clock.now() + h.config.idleWarningMs);
    await h.act({ type: 'activity' });
    expect(h.view.idleDeadline).toBeNull();
    await h.ports.clock.advance(h.config.idleMs + h.config.idleWarningMs - 1);
    expect(h.view.screen).toBe('cert-type');
    await h.ports.clock.advance(1);
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'timeout' });
    expect(h.ends.at(-1)).toMatchObject({ reason: 'timeout' });
    expect(h.flow.transaction).toBeNull();
  });

  it('PIN keys count as activity; a timeout on the PIN screen zeroes the typed digits', async () => {
    const h = harness();
    await h.goTo('pin');
    await h.ports.clock.advance(h.config.idleMs - 1);
    h.ports.pinpad.type('1');
    await h.ports.clock.advance(h.config.idleMs - 1);
    expect(h.view.idleDeadline).toBeNull();
    await h.ports.clock.advance(1 + h.config.idleWarningMs);
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'timeout', cardOnReader: true });
    expect(h.ports.pinpad.entry).toBe(false);
    expect(h.ports.pinpad.isZeroed()).toBe(true);
  });

  it('idle during payment refunds what was inserted', async () => {
    const h = harness({}, { copies: 2 });
    await h.goTo('payment');
    h.ports.coin.insert(100);
    await settle();
    await h.ports.clock.advance(h.config.idleMs + h.config.idleWarningMs);
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'timeout', refunded: 100 });
    expect(h.ports.coin.payouts).toEqual([100]);
  });

  it('certificate-left reminder, then back to attract; taking the paper ends it early', async () => {
    const h = harness();
    await h.goTo('take-certificate');
    await h.ports.clock.advance(h.config.certReminderMs);
    expect(h.view).toMatchObject({ screen: 'take-certificate', reminder: true });
    await h.ports.clock.advance(h.config.takeCertificateMs);
    expect(h.view.screen).toBe('attract');

    const h2 = harness();
    await h2.goTo('take-certificate');
    h2.ports.printer.taken.emit();
    expect(h2.view.screen).toBe('attract');
  });

  it('no idle timer runs on attract, busy or printing screens', async () => {
    const h = harness();
    expect(h.ports.clock.pending).toBe(0);
    await h.goTo('payment');
    h.ports.printer.gate = new Gate();
    h.ports.coin.insert(120);
    await settle();
    expect(h.view.screen).toBe('printing');
    expect(h.ports.clock.pending).toBe(0);
    h.ports.printer.gate.resolve();
  });
});

describe('outcomes reported to the relay', () => {
  it('printed, cancelled after the preview, no record, refunded after a print failure', async () => {
    const h = harness();
    await h.goTo('take-certificate');
    expect(h.ports.relay.outcomes).toEqual(['printed']);
    await h.act({ type: 'done' });

    await h.goTo('preview');
    // The card's files were zeroed as soon as VRS answered.
    expect(
      (Object.values(h.ports.card.dataGiven[1]!) as Uint8Array[]).every((ef) => ef.every((b) => b === 0)),
    ).toBe(true);
    await h.act({ type: 'cancel' });
    expect(h.ports.relay.outcomes.at(-1)).toBe('cancelled');
    await h.act({ type: 'done' });

    h.ports.relay.issueAnswer = { ok: true, outcome: 'no-record' };
    await h.goTo('copies');
    await h.act({ type: 'choose-copies', copies: 1 });
    expect(h.ports.relay.outcomes.at(-1)).toBe('no-record');
  });

  it('a relay failure (no answer) reports nothing', async () => {
    const h = harness();
    h.ports.relay.issueAnswer = { ok: false, code: 'RELAY_UNREACHABLE' };
    await h.goTo('copies');
    await h.act({ type: 'choose-copies', copies: 1 });
    expect(h.ports.relay.outcomes).toEqual([]);
  });
});

describe('intents from the renderer', () => {
  it.each([
    null,
    42,
    'cancel',
    {},
    { type: 'nope' },
    { type: 'choose-copies', copies: '1' },
    { type: 'choose-municipality', code: '13101' },
  ])('refuses a malformed intent %j with KIOSK_BAD_INTENT', async (raw) => {
    const h = harness();
    expect(h.flow.intent(raw)).toEqual({ ok: false, code: 'KIOSK_BAD_INTENT' });
  });

  it('refuses a stale intent with KIOSK_INTENT_NOT_NOW', async () => {
    const h = harness();
    for (const i of [
      { type: 'confirm' },
      { type: 'retry-print' },
      { type: 'refund' },
      { type: 'done' },
      { type: 'cancel' },
      { type: 'choose-service', service: 'covid-vaccine-certificate' },
    ])
      expect(h.flow.intent(i)).toEqual({ ok: false, code: 'KIOSK_INTENT_NOT_NOW' });
  });

  it('stop() unsubscribes from every device and wipes', async () => {
    const h = harness();
    await h.goTo('pin');
    const tx = h.flow.transaction!;
    h.flow.stop();
    expect(tx.wiped).toBe(true);
    expect(h.ports.card.presence.size + h.ports.pinpad.events.size + h.ports.coin.credits.size).toBe(0);
  });
});
