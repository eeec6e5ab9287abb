import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCertificate } from '../../kiosk/core/certificate/index.js';
import { createTestIssuer, sampleAnswer } from '../../kiosk/core/certificate/testing/fixtures.js';
import { buildPjlJob } from '../../kiosk/drivers/printer/pjl-job.js';
import type { SerialTransport } from '../../kiosk/drivers/transport.js';
import { SimEventLog } from '../core/events.js';
import { until } from '../testing/wait.js';
import { SimPrinter } from './sim-printer.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sim-page-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Reads every QR code in a PNG with zbarimg (Debian's zbar-tools): a decoder that is not the project's own.
 * Returns the decoded texts ([] when it finds none: zbarimg exits 4).
 */
async function zbar(png: Uint8Array, name: string): Promise<string[]> {
  const file = join(dir, name);
  writeFileSync(file, png);
  try {
    const { stdout } = await run('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], {
      timeout: 60_000,
      maxBuffer: 1 << 20,
    });
    return stdout.split('\n').filter((l) => l !== '');
  } catch (err) {
    if ((err as { code?: number }).code === 4) return [];
    throw err;
  }
}

describe('printer simulator: page images as printed', () => {
  it('delivers 300 dpi pages whose SMART Health Card and VDS-NC QR codes zbarimg decodes', async () => {
    const answer = await sampleAnswer(await createTestIssuer(), { certType: 'overseas', doses: 3 });
    const pdf = await renderCertificate({ answer, copies: 1 });
    const sim = new SimPrinter(new SimEventLog(), { pageMs: 1 });
    const data = new Set<(c: Uint8Array) => void>();
    const t: SerialTransport = {
      isOpen: true,
      open: async () => undefined,
      close: async () => undefined,
      write: async () => undefined,
      onData: (l) => (data.add(l), () => data.delete(l)),
      onClose: () => () => undefined,
    };
    sim.attach(t);
    data.forEach((l) => l(buildPjlJob(pdf, 'cert-1')));
    await until(() => sim.job(1)?.status === 'printed', 120_000);
    const job = sim.job(1)!;

    const page = await sim.pageImage(job, 1);
    expect(page).toBeDefined();
    // A4 (210 mm) at 300 dpi: 2480 pixels wide (poppler rounds up to 2481).
    expect(Math.abs(Buffer.from(page!).readUInt32BE(16) - 2480)).toBeLessThanOrEqual(1);
    const codes = await zbar(page!, 'page-300.png');
    const shc = codes.find((c) => c.startsWith('shc:/'));
    expect(shc).toMatch(/^shc:\/\d+$/);
    const vds = codes.find((c) => c.startsWith('{'));
    expect(vds && (JSON.parse(vds) as { data: { hdr: { t: string } } }).data.hdr.t).toBe('icao.vacc');

    // The 50 dpi thumbnail (what the page images used to be) is too coarse for any decoder.
    expect(await zbar(job.png[0]!, 'thumb-50.png')).toEqual([]);
    expect(await sim.pageImage(job, 2)).toBeUndefined();
  }, 240_000);
});
