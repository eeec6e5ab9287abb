import { describe, expect, it } from 'vitest';
import { harness } from './testing/drive.js';
import { settle } from './testing/fakes.js';

describe('devices checked before a single coin is taken', () => {
  it('paper out on the preview: payment refused before it starts, no coin entry opened; fixed: it goes on', async () => {
    const h = harness();
    await h.goTo('preview');
    h.ports.printer.setFault('PRINTER_PAPER_OUT');
    await h.act({ type: 'confirm' });
    expect(h.view).toMatchObject({ screen: 'payment-blocked', code: 'PRINTER_PAPER_OUT', fee: 120 });
    expect(h.ports.coin.enabled).toBe(0);
    expect(h.ports.coin.accepting).toBe(false);
    h.ports.coin.insert(100); // pushed in anyway: handed straight back
    await settle();
    expect(h.ports.coin.payouts).toEqual([100]);
    h.ports.printer.setFault(null);
    await h.act({ type: 'confirm' });
    expect(h.view).toMatchObject({ screen: 'payment', due: 120, inserted: 0 });
    expect(h.ports.coin.enabled).toBe(1);
  });

  it('cancel on the blocked screen ends with nothing taken and the relay told "cancelled"', async () => {
    const h = harness();
    await h.goTo('preview');
    h.ports.coin.checkResult = { ok: false, code: 'DEVICE_DISCONNECTED' };
    await h.act({ type: 'confirm' });
    expect(h.view).toMatchObject({ screen: 'payment-blocked', code: 'DEVICE_DISCONNECTED' });
    await h.act({ type: 'cancel' });
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'cancelled', refunded: 0 });
    expect(h.ports.relay.outcomes).toEqual(['cancelled']);
    expect(h.ports.coin.enabled).toBe(0);
  });

  it('change that cannot be paid: said on the payment screen with the coins taken, updated as coins come', async () => {
    const h = harness();
    h.ports.coin.checkResult = { ok: true, accepts: [10, 50, 100], exactOnly: true };
    await h.goTo('payment');
    expect(h.ports.coin.checked).toEqual([120]);
    expect(h.view).toMatchObject({ screen: 'payment', accepts: [10, 50, 100], exactOnly: true });
    h.ports.coin.insert(100);
    h.ports.coin.acceptsNow.emit([10]);
    await settle();
    expect(h.view).toMatchObject({ screen: 'payment', inserted: 100, accepts: [10] });
  });
});

describe('printer faults during a paid job are told at once', () => {
  it('paper out between copy 1 and copy 2: the fault, call staff, then it resumes by itself', async () => {
    const h = harness({}, { copies: 2 });
    h.ports.printer.holdAfter = 1;
    await h.goTo('payment');
    h.ports.coin.insert(240);
    await settle();
    expect(h.view).toMatchObject({ screen: 'printing', copy: 2, copies: 2 });
    expect(h.ports.printer.holding).toBe(true);
    h.ports.printer.setFault('PRINTER_PAPER_OUT');
    await settle();
    const t0 = h.ports.clock.now();
    expect(h.view).toMatchObject({
      screen: 'printing',
      copy: 2,
      fault: 'PRINTER_PAPER_OUT',
      refundOffered: false,
      refundAt: t0 + h.config.faultRefundOfferMs,
      refund: 120,
    });
    // No way out before the stated wait: a cancel now is not honoured (the copy may still come out).
    expect(await h.act({ type: 'cancel' })).toEqual({ ok: false, code: 'KIOSK_INTENT_NOT_NOW' });
    h.ports.printer.setFault('PRINTER_COVER_OPEN'); // staff open the cover to load paper
    await settle();
    expect(h.view).toMatchObject({ fault: 'PRINTER_COVER_OPEN', refundAt: t0 + h.config.faultRefundOfferMs });
    h.ports.printer.setFault(null);
    await settle();
    expect(h.view).toMatchObject({ screen: 'printing', fault: null, refundOffered: false });
    h.ports.printer.release();
    await settle();
    expect(h.view).toMatchObject({ screen: 'take-certificate', copies: 2 });
    expect(h.ports.printer.jobs).toHaveLength(2);
    expect(h.ports.coin.payouts).toEqual([]);
    expect(h.ports.relay.outcomes).toEqual(['printed']);
  });

  it('not fixed within the stated wait: stop and refund the unprinted copy; the printed one is handed over', async () => {
    const h = harness({}, { copies: 2 });
    h.ports.printer.holdAfter = 1;
    await h.goTo('payment');
    h.ports.coin.insert(240);
    await settle();
    h.ports.printer.setFault('PRINTER_JAM');
    await settle();
    await h.ports.clock.advance(h.config.faultRefundOfferMs - 1);
    expect(h.view).toMatchObject({ fault: 'PRINTER_JAM', refundOffered: false });
    await h.ports.clock.advance(1);
    expect(h.view).toMatchObject({
      screen: 'printing',
      fault: 'PRINTER_JAM',
      refundOffered: true,
      refund: 120,
    });
    await h.act({ type: 'refund' });
    expect(h.ports.printer.cancels).toBe(1);
    expect(h.view).toMatchObject({
      screen: 'take-certificate',
      copies: 1,
      notice: 'KIOSK_PARTLY_REFUNDED',
      change: 120,
    });
    expect(h.ports.coin.payouts).toEqual([120]);
    expect(h.ports.printer.jobs).toHaveLength(1);
    expect(h.ports.relay.outcomes).toEqual(['refunded:KIOSK_PARTLY_REFUNDED']);
    expect(h.ends.at(-1)).toMatchObject({ reason: 'refunded', code: 'KIOSK_PARTLY_REFUNDED' });
    expect(h.flow.transaction).toBeNull();
  });

  it('a fault on the only copy, cancel after the wait: the whole fee back, nothing reported printed', async () => {
    const h = harness();
    h.ports.printer.holdAfter = 0;
    await h.goTo('payment');
    h.ports.coin.insert(500);
    await settle();
    expect(h.ports.coin.payouts).toEqual([380]); // change first
    h.ports.printer.setFault('PRINTER_PAPER_OUT');
    await h.ports.clock.advance(h.config.faultRefundOfferMs);
    await h.act({ type: 'cancel' });
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'refunded', refunded: 120 });
    expect(h.ports.coin.payouts).toEqual([380, 120]);
    expect(h.ports.printer.jobs).toHaveLength(0);
    expect(h.ports.relay.outcomes).toEqual(['refunded']);
  });

  it('the job ending anyway as the resident stops it counts as printed, and only the rest is refunded', async () => {
    const h = harness({}, { copies: 2 });
    h.ports.printer.holdAfter = 0;
    await h.goTo('payment');
    h.ports.coin.insert(240);
    await settle();
    h.ports.printer.setFault('PRINTER_PAPER_OUT');
    await h.ports.clock.advance(h.config.faultRefundOfferMs);
    h.ports.printer.release({ ok: true }); // the printer reports the copy done just before the cancel
    await h.act({ type: 'refund' });
    expect(h.view).toMatchObject({ screen: 'take-certificate', copies: 1, change: 120 });
    expect(h.ports.coin.payouts).toEqual([120]);
    expect(h.ports.printer.jobs).toHaveLength(1);
  });

  it('a fault cleared before the offer stops the countdown; a later fault starts a new one', async () => {
    const h = harness();
    h.ports.printer.holdAfter = 0;
    await h.goTo('payment');
    h.ports.coin.insert(120);
    await settle();
    h.ports.printer.setFault('PRINTER_PAPER_OUT');
    await h.ports.clock.advance(10_000);
    h.ports.printer.setFault(null);
    await h.ports.clock.advance(h.config.faultRefundOfferMs);
    expect(h.view).toMatchObject({ screen: 'printing', fault: null, refundOffered: false });
    h.ports.printer.setFault('PRINTER_PAPER_OUT');
    await settle();
    expect(h.view).toMatchObject({ refundAt: h.ports.clock.now() + h.config.faultRefundOfferMs });
    h.ports.printer.setFault(null);
    h.ports.printer.release();
    await settle();
    expect(h.view.screen).toBe('take-certificate');
  });
});

describe('change', () => {
  it('the take-certificate screen reminds the resident of the change paid', async () => {
    const h = harness();
    await h.goTo('payment');
    h.ports.coin.insert(1000);
    await settle();
    expect(h.view).toMatchObject({ screen: 'take-certificate', change: 880, notice: null });
    expect(h.ports.coin.payouts).toEqual([880]);
  });

  it('no change: no reminder', async () => {
    const h = harness();
    await h.goTo('take-certificate');
    expect(h.view).not.toHaveProperty('change');
  });
});

describe('a printer that stops as a copy is handed over', () => {
  it('waits on the printing screen (fault said at once) and prints the copy again once staff fix it', async () => {
    const h = harness({}, { copies: 2 });
    await h.goTo('payment');
    h.ports.printer.fault = 'PRINTER_PAPER_OUT'; // ran out as the job went out: the printer refuses it
    h.ports.printer.results.push({ ok: false, code: 'PRINTER_PAPER_OUT' });
    h.ports.coin.insert(240);
    await settle();
    expect(h.view).toMatchObject({ screen: 'printing', copy: 1, fault: 'PRINTER_PAPER_OUT', refund: 240 });
    h.ports.printer.setFault(null);
    await settle();
    expect(h.view.screen).toBe('take-certificate');
    expect(h.ports.printer.jobs).toHaveLength(2);
    expect(h.ports.coin.payouts).toEqual([]);
  });

  it('stop while waiting: the whole fee back', async () => {
    const h = harness();
    await h.goTo('payment');
    h.ports.printer.fault = 'PRINTER_COVER_OPEN';
    h.ports.printer.results.push({ ok: false, code: 'PRINTER_COVER_OPEN' });
    h.ports.coin.insert(120);
    await settle();
    await h.ports.clock.advance(h.config.faultRefundOfferMs);
    await h.act({ type: 'refund' });
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'refunded', refunded: 120 });
    expect(h.ports.coin.payouts).toEqual([120]);
  });

  it('not fixed within faultGiveUpMs: the print-failed screen (retry or refund)', async () => {
    const h = harness();
    await h.goTo('payment');
    h.ports.printer.fault = 'PRINTER_JAM';
    h.ports.printer.results.push({ ok: false, code: 'PRINTER_JAM' });
    h.ports.coin.insert(120);
    await settle();
    await h.ports.clock.advance(h.config.faultGiveUpMs);
    expect(h.view).toMatchObject({ screen: 'print-failed', code: 'PRINTER_JAM', refund: 120 });
  });
});
