import { describe, expect, it } from 'vitest';
import type { SerialTransport } from '../../kiosk/drivers/transport.js';
import { buildPjlCancel, buildPjlJob } from '../../kiosk/drivers/printer/pjl-job.js';
import { SimEventLog } from '../core/events.js';
import { SimPrinter } from './sim-printer.js';
import { makeBinaryTestPdf } from './test-pdf.js';
import { until } from '../testing/wait.js';

/** The printer's end of a line, in process: the test feeds host bytes, the printer's answers are kept. */
function line() {
  const data = new Set<(c: Uint8Array) => void>();
  let sent = '';
  const t: SerialTransport = {
    isOpen: true,
    open: async () => undefined,
    close: async () => undefined,
    write: async (d) => {
      sent += String.fromCharCode(...d);
    },
    onData: (l) => (data.add(l), () => data.delete(l)),
    onClose: () => () => undefined,
  };
  return { t, feed: (b: Uint8Array) => data.forEach((l) => l(b)), sent: () => sent };
}

describe('SimPrinter: jobs the host gave up on mid-transfer', () => {
  it('ends a job still being received on CANCEL (job END HOST_CANCELED), then prints the next', async () => {
    const sim = new SimPrinter(new SimEventLog(), { pageMs: 1, dpi: 10 });
    const l = line();
    sim.attach(l.t);
    const pdf = await makeBinaryTestPdf(30_000);
    const job = buildPjlJob(pdf, 'cut-1');
    l.feed(job.subarray(0, 12_000));
    l.feed(buildPjlCancel('cut-1'));
    await until(() => l.sent().includes('RESULT=HOST_CANCELED'));
    expect(sim.jobs.map((j) => [j.name, j.status])).toEqual([['cut-1', 'cancelled']]);
    expect(sim.jobs[0]!.pdf).toBeUndefined();
    l.feed(buildPjlJob(pdf, 'next-1'));
    await until(() => sim.job(2)?.status === 'printed');
    expect(l.sent()).toMatch(/END\r\nNAME="next-1"\r\nPAGES=1\r\nRESULT=OK/);
  });

  it('drops an unfinished job when the next job starts without its EOJ', async () => {
    const sim = new SimPrinter(new SimEventLog(), { pageMs: 1, dpi: 10 });
    const l = line();
    sim.attach(l.t);
    const pdf = await makeBinaryTestPdf(30_000);
    // The first job's PDF is cut short; a UEL ends PDF mode and the next job begins.
    l.feed(buildPjlJob(pdf, 'cut-2').subarray(0, 12_000));
    l.feed(buildPjlJob(pdf, 'next-2'));
    await until(() => sim.job(2)?.status === 'printed');
    expect(sim.jobs.map((j) => [j.name, j.status])).toEqual([
      ['cut-2', 'aborted'],
      ['next-2', 'printed'],
    ]);
    expect(l.sent()).toMatch(/END\r\nNAME="cut-2"\r\nPAGES=0\r\nRESULT=ABORTED/);
  });
});
