import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../hardware-sim/runtime.js';
import { loadPanelPage } from '../../hardware-sim/panel/page.js';
import { makeTestPdf } from '../../hardware-sim/printer/test-pdf.js';
import { PjlPrinter } from '../../kiosk/drivers/printer/pjl-printer.js';
import { PinPad, type PinPadEvent } from '../../kiosk/drivers/pinpad/pinpad.js';
import { CoinUnit } from '../../kiosk/drivers/coin/coin-unit.js';
import { SerialPortTransport } from '../../kiosk/drivers/transports/serial.js';
import { LoopbackHidTransport } from '../../kiosk/drivers/transports/hid-loopback.js';

/**
 * The testers' control panel in Chromium, against the real simulator (ptys, PIN pad bridge) with the real
 * drivers on the other side: what a tester clicks reaches the kiosk's drivers as device traffic.
 */
const dir = mkdtempSync(join(tmpdir(), 'panel-browser-'));
let sim: RunningSimulator;
let printer: PjlPrinter;
let pinpad: PinPad;
let coins: CoinUnit;
const padEvents: PinPadEvent[] = [];

test.beforeAll(async () => {
  sim = await startSimulator({ stateDir: dir, page: loadPanelPage });
  const {
    printer: printerPath,
    coinAcceptor,
    hopper,
    pinpad: pinpadUrl,
  } = sim.info as Record<string, string>;
  printer = new PjlPrinter({
    connect: () => new SerialPortTransport({ path: printerPath!, baudRate: 115200 }),
  });
  pinpad = new PinPad({ connect: () => new LoopbackHidTransport(pinpadUrl!) });
  coins = new CoinUnit({
    acceptor: () => new SerialPortTransport({ path: coinAcceptor!, baudRate: 9600 }),
    hopper: () => new SerialPortTransport({ path: hopper!, baudRate: 9600 }),
  });
  pinpad.onEvent((e) => padEvents.push(e));
  await Promise.all([printer.start(), pinpad.start(), coins.start()]);
});

test.afterAll(async () => {
  await Promise.all([printer?.stop(), pinpad?.stop(), coins?.stop()]);
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a tester places a card, types a PIN, pays, injects a printer fault and sees the printed pages', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(sim.info['panel']!);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const log = page.getByTestId('log');

  // Card: the resident picker shows the fictional PIN, never a My Number.
  await page.getByTestId('resident').selectOption('hanako');
  await expect(page.getByTestId('resident-pin')).toHaveText('5678');
  await page.getByTestId('card-place').click();
  await expect(log).toContainText('card-placed');
  await expect(page.getByTestId('status')).toContainText('card: hanako');

  // PIN pad: clicks become HID reports; the driver sees digits (count only) and Enter.
  await expect.poll(() => pinpad.connected).toBe(true);
  pinpad.startEntry();
  for (const k of ['5', '6', '7', '8', 'E']) await page.getByTestId(`key-${k}`).click();
  await expect.poll(() => padEvents.at(-1)).toEqual({ type: 'enter', complete: true });
  expect(padEvents.filter((e) => e.type === 'digits')).toHaveLength(4);
  const pin = pinpad.takePin();
  expect(pin?.length).toBe(4);
  await pin?.use(() => undefined);
  pinpad.endEntry();

  // Coins: a payment is open on the driver side; the panel's coin buttons pay it.
  await expect.poll(() => coins.acceptorConnected).toBe(true);
  const paid = coins.openPayment(120);
  await expect(page.getByTestId('status')).toContainText('coins: accepting');
  await page.getByTestId('coin-100').click();
  await page.getByTestId('coin-50').click();
  expect(await paid).toEqual({ ok: true, totalYen: 150, changeYen: 30 });
  await expect(log).toContainText('"outcome":"accepted"');
  expect(await coins.payChange(30)).toEqual({ ok: true, paidYen: 30 });
  await expect(log).toContainText('payout-done');

  // Printer fault from the panel: the driver sees it and refuses to start a job until it is cleared.
  await expect.poll(() => printer.state).toBe('ready');
  await page.getByTestId('fault-paper-out').click();
  await expect(log).toContainText('printer fault {"condition":"paper-out"}');
  await expect.poll(() => printer.state).toBe('paper-out');
  const pdf = await makeTestPdf(2);
  expect(await printer.print(pdf, { jobName: 'panel-refused', expectedPages: 2 })).toMatchObject({
    code: 'PRINTER_PAPER_OUT',
  });
  await page.getByTestId('fault-clear').click();
  await expect.poll(() => printer.state).toBe('ready');
  expect(await printer.print(pdf, { jobName: 'panel-job', expectedPages: 2 })).toEqual({
    ok: true,
    pages: 2,
  });

  // Paper from the panel: a few sheets left is reported low (the printer stays ready), a full tray is not.
  await page.getByTestId('paper-sheets').fill('3');
  await page.getByTestId('paper-load').click();
  await expect(log).toContainText('printer paper-loaded {"sheets":3}');
  await expect.poll(() => printer.paper).toBe('low');
  expect(printer.state).toBe('ready');
  expect(await printer.sheetsLeft()).toBe(3);
  await page.getByTestId('paper-sheets').fill('250');
  await page.getByTestId('paper-load').click();
  await expect.poll(() => printer.paper).toBe('ok');

  // The printed pages appear as images.
  const images = page.getByRole('img', { name: /page \d/ });
  await expect(images).toHaveCount(2);
  await expect
    .poll(() => images.first().evaluate((img) => (img as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);

  // Unplug and replug the printer from the panel; the driver follows.
  await page.getByTestId('printer-unplug').click();
  await expect(page.getByTestId('printer-plugged')).toHaveText('unplugged');
  await expect.poll(() => printer.state).toBe('gone');
  await page.getByTestId('printer-plug').click();
  await expect(page.getByTestId('printer-plugged')).toHaveText('plugged in');
  await expect.poll(() => printer.state, { timeout: 15_000 }).toBe('ready');

  expect(errors).toEqual([]);
});
