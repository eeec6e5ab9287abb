/**
 * Printer, PIN pad and coin unit benchmark (npm run bench -- devices):
 *  - codecs: PJL status parsing, ccTalk frame decoding, boot report decoding (messages per second);
 *  - end to end over real ptys against the simulators: a 1-page and a 3-page PJL/PDF job (ECHO sync, job
 *    START/END; includes the simulator's poppler render and its 0-ms page pacing), a ccTalk poll round trip
 *    (echo + reply at 9600 baud over a pty, which does not pace bytes), and a 10-coin payout.
 */
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineLine } from '../run-programs.js';
import { PjlStatusDecoder } from '../../kiosk/drivers/printer/pjl-status.js';
import { PjlPrinter } from '../../kiosk/drivers/printer/pjl-printer.js';
import { CcTalkDecoder, encodeFrame } from '../../kiosk/drivers/coin/cctalk-frame.js';
import { CcTalkBus } from '../../kiosk/drivers/coin/cctalk-bus.js';
import { CoinAcceptor } from '../../kiosk/drivers/coin/coin-acceptor.js';
import { CoinUnit } from '../../kiosk/drivers/coin/coin-unit.js';
import { BootKeyboardDecoder, encodeBootReport } from '../../kiosk/drivers/pinpad/boot-report.js';
import { SerialPortTransport } from '../../kiosk/drivers/transports/serial.js';
import { SimEventLog } from '../../hardware-sim/core/events.js';
import { PrinterDevice } from '../../hardware-sim/printer/device.js';
import { CoinAcceptorDevice, HopperDevice } from '../../hardware-sim/coin/device.js';
import { makeTestPdf } from '../../hardware-sim/printer/test-pdf.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 20);
const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;
const fmt = (xs: number[]) =>
  `median ${q(xs, 0.5).toFixed(2)} ms, p99 ${q(xs, 0.99).toFixed(2)} ms (n=${xs.length})`;
const rate = (n: number, ms: number) => `${((n / ms) * 1000).toFixed(0)}/s`;

console.log(machineLine());

// ---- codecs --------------------------------------------------------------------------------------------
{
  const msg = new TextEncoder().encode(
    '@PJL USTATUS DEVICE\r\nCODE=40021\r\nDISPLAY="12 PRINTER OPEN"\r\nONLINE=FALSE\r\n\f@PJL USTATUS JOB\r\nEND\r\nNAME="cert-1"\r\nPAGES=2\r\nRESULT=OK\r\n\f',
  );
  const d = new PjlStatusDecoder();
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) d.push(msg);
  console.log(`PJL status parse: ${rate(2 * n, performance.now() - t0)} messages`);
}
{
  const frame = encodeFrame({ dest: 1, src: 2, header: 0, data: [7, 3, 1, 0, 2, 0, 0, 0, 0, 0, 0] });
  const d = new CcTalkDecoder();
  const n = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) d.push(frame);
  console.log(`ccTalk decode (16-byte 229 reply): ${rate(n, performance.now() - t0)} frames`);
}
{
  const reports = [encodeBootReport([0x59]), encodeBootReport([])];
  const d = new BootKeyboardDecoder();
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) d.push(reports[i & 1]!);
  console.log(`boot report decode: ${rate(n, performance.now() - t0)} reports`);
}

// ---- end to end over ptys ---------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'bench-devices-'));
const events = new SimEventLog();
const ctx = { stateDir: dir, portsDir: join(dir, 'ports'), events };
const printerDev = new PrinterDevice({ pageMs: 0 });
const acceptorDev = new CoinAcceptorDevice();
const hopperDev = new HopperDevice({ coins: 100_000, coinMs: 1 });
const paths = {
  ...(await printerDev.start(ctx)),
  ...(await acceptorDev.start(ctx)),
  ...(await hopperDev.start(ctx)),
};
try {
  const printer = new PjlPrinter({
    connect: () => new SerialPortTransport({ path: paths['printer']!, baudRate: 115200 }),
  });
  await printer.start();
  await printer.waitForState((s) => s === 'ready', 5000);
  for (const pages of [1, 3]) {
    const pdf = await makeTestPdf(pages);
    const times: number[] = [];
    for (let i = 0; i < Math.max(5, RUNS / 2); i++) {
      const t0 = performance.now();
      const r = await printer.print(pdf, { jobName: `bench-${pages}-${i}`, expectedPages: pages });
      if (!r.ok) throw new Error(`print failed: ${r.code}`);
      times.push(performance.now() - t0);
      printerDev.printer.clearJobs();
    }
    console.log(`print ${pages}-page PDF (${pdf.length} B) to job-END, incl. sim render: ${fmt(times)}`);
  }
  await printer.stop();

  const t = new SerialPortTransport({ path: paths['coinAcceptor']!, baudRate: 9600 });
  await t.open();
  const acc = new CoinAcceptor(new CcTalkBus(t));
  const init = await acc.init();
  if (!init.ok) throw new Error(init.code);
  const polls: number[] = [];
  for (let i = 0; i < RUNS * 10; i++) {
    const t0 = performance.now();
    const r = await acc.poll();
    if (!r.ok) throw new Error(r.code);
    polls.push(performance.now() - t0);
  }
  console.log(`ccTalk poll (229) round trip with echo over a pty: ${fmt(polls)}`);
  console.log(
    `  (a real 9600-baud line adds ≈ ${(((5 + 16 + 5) * 10) / 9.6).toFixed(1)} ms of wire time per poll)`,
  );
  await t.close();

  const unit = new CoinUnit({
    acceptor: () => new SerialPortTransport({ path: paths['coinAcceptor']!, baudRate: 9600 }),
    hopper: () => new SerialPortTransport({ path: paths['hopper']!, baudRate: 9600 }),
    hopperPollMs: 5,
  });
  await unit.start();
  const payouts: number[] = [];
  for (let i = 0; i < Math.max(5, RUNS / 2); i++) {
    const t0 = performance.now();
    const r = await unit.payChange(100);
    if (!r.ok) throw new Error(r.code);
    payouts.push(performance.now() - t0);
  }
  console.log(`payChange(100 yen = 10 coins, sim 1 ms/coin): ${fmt(payouts)}`);
  await unit.stop();
  console.log(`memory: rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
} finally {
  await printerDev.stop();
  await acceptorDev.stop();
  await hopperDev.stop();
  rmSync(dir, { recursive: true, force: true });
}
