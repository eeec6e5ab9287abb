import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { Jlis } from './jlis.js';
import { CrlValidity } from '../vrs-sim/jpki/crl.js';

describe('J-LIS stand-in: cards, CRL, revocation command', () => {
  let dir: string;
  let jlis: Jlis;
  let now = Date.now();
  let validity: CrlValidity;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jlis-'));
    jlis = await Jlis.open(dir);
    validity = new CrlValidity({
      caCertificate: jlis.caCertificate,
      load: async () => jlis.currentCrl(),
      now: () => now,
    });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues one card per resident (stable across opens), keys 0600, a certificate without personal data', async () => {
    const a = await jlis.cardFor({ id: 'taro', municipality: '131016' });
    const again = await (await Jlis.open(dir)).cardFor({ id: 'taro', municipality: '131016' });
    expect(again.serial).toBe(a.serial);
    const cert = new X509Certificate(a.certificate);
    expect(cert.checkIssued(new X509Certificate(jlis.caCertificate))).toBe(true);
    expect(cert.subject).toContain(`CN=${a.serial}`);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // node lists the extended key usage: clientAuth
    expect(statSync(join(dir, 'cards', 'taro-0.key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'auth-ca.key.pem')).mode & 0o777).toBe(0o600);
    expect(jlis.link('131016')).toEqual([{ serial: a.serial, resident: 'taro' }]);
  });

  it('`npm run jlis -- revoke` puts the card on the CRL at once; VRS sees it at its next refresh', async () => {
    const serial = (await jlis.cardFor({ id: 'hanako', municipality: '271004' })).serial;
    expect(await validity.status(serial)).toBe('good');
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    try {
      expect(await main(['revoke', 'hanako', '--reason', 'moved', '--state-dir', dir])).toBe(0);
      expect(await main(['revoke', 'nobody', '--reason', 'lost', '--state-dir', dir])).toBe(1);
      expect(await main(['revoke', 'hanako', '--reason', 'stolen', '--state-dir', dir])).toBe(2);
    } finally {
      process.stdout.write = write;
    }
    expect(JSON.parse(out[0]!)).toEqual({ revoked: serial, reason: 'moved' });
    expect(await validity.status(serial)).toBe('good'); // cached: VRS has not refreshed yet
    now += 30_000;
    expect(await validity.status(serial)).toBe('revoked');
    const taro = jlis.currentSerial('taro')!;
    expect(await validity.status(taro)).toBe('good');
  });

  it('a CRL not signed by the CA is not trusted: every status is unknown', async () => {
    const other = await Jlis.open(join(dir, 'other'));
    const forged = new CrlValidity({
      caCertificate: jlis.caCertificate,
      load: async () => other.currentCrl(),
      now: () => now,
    });
    expect(await forged.status('1000000000000001')).toBe('unknown');
  });
});
