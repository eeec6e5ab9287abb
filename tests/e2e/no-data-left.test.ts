import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { waitForScreen } from '../support/wait.js';

/**
 * Nothing about a resident is left behind. Complete transactions (issued, no record, cancelled after the
 * preview) run through the whole system with fictional residents; afterwards every file written under the
 * run's fresh state folder and HOME is scanned for the residents' data (My Number, names, address, in UTF-8,
 * UTF-16 and base64). Only the VRS stand-in's store may hold them, and only encrypted (so never in clear).
 * The kiosk's main process must also have dropped the transaction.
 */
const RESIDENTS = JSON.parse(
  readFileSync(join(process.cwd(), 'hardware-sim', 'fixtures', 'residents.json'), 'utf8'),
) as {
  id: string;
  pin: string;
  myNumber: string;
  name: string;
  nameKana: string;
  nameRomaji: string;
  address: string;
}[];
const used = ['taro', 'norecords', 'hanako'].map((id) => RESIDENTS.find((r) => r.id === id)!);

function canaries(): { label: string; bytes: Buffer }[] {
  const out: { label: string; bytes: Buffer }[] = [];
  for (const r of used) {
    for (const [field, value] of Object.entries({
      myNumber: r.myNumber,
      name: r.name,
      nameKana: r.nameKana,
      nameRomaji: r.nameRomaji,
      address: r.address,
    })) {
      out.push({ label: `${r.id}.${field} utf8`, bytes: Buffer.from(value, 'utf8') });
      out.push({ label: `${r.id}.${field} utf16`, bytes: Buffer.from(value, 'utf16le') });
      out.push({
        label: `${r.id}.${field} base64`,
        bytes: Buffer.from(Buffer.from(value, 'utf8').toString('base64')),
      });
    }
  }
  return out;
}

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

function scan(dir: string): { found: string[]; scanned: number } {
  const found: string[] = [];
  let scanned = 0;
  for (const f of files(dir)) {
    if (statSync(f).size > 256 * 1024 * 1024) continue;
    const data = readFileSync(f);
    scanned++;
    for (const c of canaries()) if (data.includes(c.bytes)) found.push(`${f.slice(dir.length)}: ${c.label}`);
  }
  return { found, scanned };
}

let sys: TestSystem;
const home = process.env['HOME'];

beforeAll(async () => {
  sys = await startTestSystem();
  process.env['HOME'] = join(sys.dir, 'home');
}, 120_000);

afterAll(async () => {
  process.env['HOME'] = home;
  await sys?.shutdown();
});

async function transaction(
  resident: string,
  pin: string,
  municipality: string,
  end: 'pay' | 'cancel',
): Promise<void> {
  const flow = sys.kiosk.flow;
  await sys.panel('POST', '/api/card', { resident });
  await waitForScreen(flow, 'menu');
  flow.intent({ type: 'choose-service', service: 'covid-vaccine-certificate' });
  await waitForScreen(flow, 'pin');
  await sys.panel('POST', '/api/pinpad/keys', { keys: `${pin}E` });
  await waitForScreen(flow, 'remove-card');
  await sys.panel('DELETE', '/api/card');
  await waitForScreen(flow, 'municipality');
  flow.intent({ type: 'choose-municipality', code: municipality });
  flow.intent({ type: 'choose-cert-type', certType: 'domestic' });
  flow.intent({ type: 'choose-copies', copies: 1 });
  const v = await waitForScreen(flow, ['preview', 'error']);
  if (v.screen === 'preview') {
    if (end === 'cancel') flow.intent({ type: 'cancel' });
    else {
      flow.intent({ type: 'confirm' });
      await waitForScreen(flow, 'payment');
      for (let i = 0; i < 100; i++) {
        const s = await sys.panel<Record<string, { accepting?: boolean }>>('GET', '/api/state');
        if (s['coin-acceptor']?.accepting) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await sys.panel('POST', '/api/coins', { yen: 500 });
      const after = await waitForScreen(flow, ['take-certificate', 'print-failed'], 90_000);
      // A printer failure is refunded; either way the transaction ends here.
      flow.intent({ type: after.screen === 'print-failed' ? 'refund' : 'done' });
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  flow.intent({ type: 'done' });
  await waitForScreen(flow, 'attract', 30_000);
}

describe('no application data left behind', () => {
  it('the scan finds a planted name (so it can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'canary-'));
    writeFileSync(
      join(dir, 'leak.log'),
      `x${Buffer.from(used[0]!.name, 'utf16le').toString('latin1')}x`,
      'latin1',
    );
    expect(scan(dir).found).toEqual(['/leak.log: taro.name utf16']);
    rmSync(dir, { recursive: true });
  });

  it('after issued, no-record and cancelled transactions, no file holds a resident’s data', async () => {
    await transaction('taro', '1234', '131016', 'pay');
    await transaction('norecords', '4444', '472018', 'pay');
    await transaction('hanako', '5678', '271004', 'cancel');
    expect(sys.kiosk.flow.transaction).toBeNull();

    const { found, scanned } = scan(sys.dir);
    expect(scanned).toBeGreaterThan(5);
    expect(found).toEqual([]);
  }, 240_000);
});
