import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { X509Certificate, createHash, verify as rsaVerify } from 'node:crypto';
import { startReaderHarness, type ReaderHarness } from './testing/harness.js';

/** Runs a libnfc tool asynchronously (the emulator lives in this process: a sync spawn would starve it). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(cmd, args, { env, timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

const haveLibnfc = existsSync('/usr/bin/nfc-list') && existsSync('/usr/bin/pn53x-tamashell');

/** Unmodified third-party PN532 host software (Debian libnfc 1.8.0) against the emulator on a pty. */
(haveLibnfc ? describe : describe.skip)(
  haveLibnfc
    ? 'libnfc interop: nfc-list and pn53x-tamashell against the emulated PN532'
    : 'libnfc interop: skipped, libnfc-bin / libnfc-pn53x-examples not installed (npm run deps:debian)',
  () => {
    let h: ReaderHarness;
    let env: NodeJS.ProcessEnv;
    beforeAll(async () => {
      h = await startReaderHarness();
      env = { ...process.env, LIBNFC_DEVICE: `pn532_uart:${h.hostPath}`, LIBNFC_LOG_LEVEL: '1' };
    });
    afterAll(() => h?.stop());

    it('nfc-list opens the reader and lists the card as ISO/IEC 14443-4B', async () => {
      h.device.placeCard('taro');
      const r = await run('nfc-list', ['-v'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/NFC device: .* opened/);
      expect(r.stdout).toContain('1 ISO14443B passive target(s) found');
      expect(r.stdout).toContain('Protocol Info: 00  81  81');
      expect(r.stdout).toContain('0 ISO14443A passive target(s) found');
    });

    it('nfc-list -t 8 finds nothing when no card is on the reader', async () => {
      h.device.removeCard();
      const r = await run('nfc-list', ['-v', '-t', '8'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('0 ISO14443B passive target(s) found');
    });

    it('pn53x-tamashell: firmware, list, SELECT the 券面事項入力補助AP, retry counter, a missing EF', async () => {
      h.device.setPinTries(3, 'hanako');
      h.device.placeCard('hanako');
      const script = [
        '02',
        '4a 01 03 00',
        '40 01 00 a4 04 0c 0a d3 92 10 00 31 00 01 01 04 08',
        '40 01 00 a4 02 0c 02 00 11',
        '40 01 00 20 00 80',
        '40 01 00 a4 02 0c 02 00 99',
        '52 00',
      ].join('\n');
      const r = await run('pn53x-tamashell', [], env, script + '\n');
      expect(r.code).toBe(0);
      const rx = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('Rx:'))
        .map((l) => l.replace(/\s+/g, ' ').trim());
      expect(rx[0]).toBe('Rx: 32 01 06 07');
      expect(rx[1]).toMatch(/^Rx: 01 01 50( [0-9a-f]{2}){4} 00 00 00 00 00 81 81 01 00$/);
      expect(rx.slice(2)).toEqual(['Rx: 00 90 00', 'Rx: 00 90 00', 'Rx: 00 63 c3', 'Rx: 00 6a 82', 'Rx: 00']);
    });

    it('pn53x-tamashell: VERIFY, then a 256-byte READ BINARY whose answer is chained with MI', async () => {
      h.device.setPinTries(3, 'longaddress');
      h.device.placeCard('longaddress');
      const pinHex = [...'9753'].map((c) => c.charCodeAt(0).toString(16)).join(' ');
      const script = [
        '4a 01 03 00',
        '40 01 00 a4 04 0c 0a d3 92 10 00 31 00 01 01 04 08',
        '40 01 00 a4 02 0c 02 00 11',
        `40 01 00 20 00 80 04 ${pinHex}`,
        '40 01 00 a4 02 0c 02 00 02',
        '40 01 00 b0 00 00 00',
      ];
      const r = await run('pn53x-tamashell', [], env, script.join('\n') + '\n');
      expect(r.code).toBe(0);
      const rx = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('Rx:'))
        .map((l) => l.replace(/\s+/g, ' ').trim().split(' ').slice(1));
      expect(rx[3]).toEqual(['00', '90', '00']); // PIN accepted
      const read = rx[5] ?? [];
      // The emulator answers at most 252 DataIn bytes per frame, so these 258 bytes came as two frames with the
      // MI bit; libnfc's pn53x_transceive followed the chain (sending `40 01`) and concatenated them.
      expect(read).toHaveLength(1 + 256 + 2);
      expect(read[0]).toBe('00');
      expect(read.slice(1, 4)).toEqual(['ff', '20', '82']);
      expect(read.slice(-2)).toEqual(['90', '00']);
      expect(h.device.pinTries('longaddress')).toBe(3);
    });

    it('pn53x-tamashell: the 公的個人認証AP as jpki/myna drives it (certificate, 利用者証明用 PIN, 80 2A signature)', async () => {
      h.device.setJpkiPinTries(3, 'taro');
      h.device.placeCard('taro');
      const message = Buffer.from('a challenge from a public reader');
      const digestInfo = Buffer.concat([
        Buffer.from('3031300d060960864801650304020105000420', 'hex'),
        createHash('sha256').update(message).digest(),
      ]);
      const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
      const script = [
        '4a 01 03 00',
        '40 01 00 a4 04 0c 0a d3 92 f0 00 26 01 00 00 00 01',
        '40 01 00 a4 02 0c 02 00 0a',
        '40 01 00 b0 00 00 04',
        '40 01 00 a4 02 0c 02 00 18',
        '40 01 00 20 00 80',
        `40 01 00 20 00 80 04 ${hex(Buffer.from('1234'))}`,
        '40 01 00 a4 02 0c 02 00 17',
        `40 01 80 2a 00 80 33 ${hex(digestInfo)} 00`,
      ];
      const r = await run('pn53x-tamashell', [], env, script.join('\n') + '\n');
      expect(r.code).toBe(0);
      const rx = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('Rx:'))
        .map((l) => l.replace(/\s+/g, ' ').trim().split(' ').slice(1));
      expect(rx[1]).toEqual(['00', '90', '00']); // SELECT JPKI-AP
      expect(rx[3]?.slice(1, 3)).toEqual(['30', '82']); // the certificate's DER header
      expect(rx[5]).toEqual(['00', '63', 'c3']); // 利用者証明用 PIN: 3 tries
      expect(rx[6]).toEqual(['00', '90', '00']); // PIN accepted
      const sig = rx[8] ?? [];
      expect(sig).toHaveLength(1 + 256 + 2); // chained with MI, concatenated by libnfc
      expect(sig.slice(-2)).toEqual(['90', '00']);
      const cert = new X509Certificate(
        (await h.device.jlis.cardFor({ id: 'taro', municipality: '131016' })).certificate,
      );
      const signature = Buffer.from(sig.slice(1, 257).join(''), 'hex');
      expect(rsaVerify('sha256', message, cert.publicKey, signature)).toBe(true);
    });
  },
);
