import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto as crypto } from '../common/crypto-node.js';
import { setLogSink } from '../common/log.js';
import { Jlis } from '../jlis-sim/jlis.js';
import {
  fromBase64Url,
  generateIdentity,
  keyId,
  openAnswer,
  toBase64Url,
  type CardData,
  type JpkiAuth,
} from '../protocol/index.js';
import { CliError, runCli, type CliIo } from './cli.js';
import { loadFixtures } from './seed/fixtures.js';
import type { RunningVrs } from './start.js';
import { cardProof } from './testing/jpki.js';
import { connectTestRelay } from './testing/relay-client.js';
import { cardFor, vrsRequestMessage } from './testing/requests.js';

const fixture = (id: string) => {
  const f = loadFixtures().find((x) => x.id === id);
  if (!f) throw new Error(`fixture ${id} expected`);
  return f;
};
const taro = fixture('taro'); // 131016: configured for カードAP below
const hanako = fixture('hanako'); // 271004: JPKI, the default

describe('npm run vrs -- serve: the J-LIS options', { timeout: 600_000 }, () => {
  let dir: string;
  let jlis: Jlis;
  const io = (): CliIo => ({
    out: () => undefined,
    err: () => undefined,
    env: {},
    readStdin: async () => '',
  });
  const serve = (argv: string[]) => runCli(['serve', '--state-dir', join(dir, 'vrs'), ...argv], io());

  beforeAll(async () => {
    setLogSink(() => undefined);
    dir = mkdtempSync(join(tmpdir(), 'vrs-cli-jlis-'));
    jlis = await Jlis.open(join(dir, 'jlis'));
    await jlis.cardFor(taro);
    await jlis.cardFor(hanako);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start without the J-LIS files, with a participating municipality only, and with certificates only', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    await expect(serve(['--jlis-state-dir', empty])).rejects.toMatchObject({
      code: 'CLI_BAD_ARGUMENT',
      message: expect.stringContaining('auth-ca.pem') as unknown,
    });
    await expect(serve(['--jlis-state-dir', jlis.stateDir, '--card-ap', '999999'])).rejects.toMatchObject({
      code: 'CLI_BAD_ARGUMENT',
    });
    const notACert = join(jlis.stateDir, 'crl.der');
    await expect(
      serve(['--jlis-state-dir', jlis.stateDir, '--kenhojo-issuer', notACert]),
    ).rejects.toBeInstanceOf(CliError);
    // The environment names the folder as the flag does.
    await expect(
      runCli(['serve', '--state-dir', join(dir, 'vrs')], { ...io(), env: { JLIS_STATE_DIR: empty } }),
    ).rejects.toMatchObject({ code: 'CLI_BAD_ARGUMENT' });
  });

  it('serves with each file named on its own: JPKI by default, カードAP for the --card-ap municipality', async () => {
    // The files moved away from the J-LIS folder: only the options can find them.
    const files = join(dir, 'files');
    mkdirSync(files, { recursive: true });
    const names = ['auth-ca.pem', 'crl.der', 'registry.json', 'kenhojo-signer.pem'];
    for (const n of names) copyFileSync(join(jlis.stateDir, n), join(files, `copy-${n}`));
    const relay = generateIdentity(crypto);
    const running = (await serve([
      '--jlis-state-dir',
      join(dir, 'nowhere'),
      '--jlis-ca',
      join(files, 'copy-auth-ca.pem'),
      '--jlis-crl',
      join(files, 'copy-crl.der'),
      '--jlis-registry',
      join(files, 'copy-registry.json'),
      '--kenhojo-issuer',
      join(files, 'copy-kenhojo-signer.pem'),
      '--card-ap',
      taro.municipality,
      '--relay-key',
      toBase64Url(relay.publicKey),
      '--per-municipality',
      '1',
    ])) as RunningVrs;
    const client = await connectTestRelay({
      url: running.info.lgwan,
      identity: relay,
      vrsPublicKey: fromBase64Url(running.info.identityPublicKey) as Uint8Array,
      crypto,
    });
    try {
      const kiosk = keyId(generateIdentity(crypto).publicKey);
      const ask = async (municipality: string, auth: { card: CardData } | { jpki: JpkiAuth }) => {
        const req = vrsRequestMessage({
          vrsBoxPublicKey: fromBase64Url(running.info.boxPublicKey) as Uint8Array,
          kioskId: kiosk,
          municipality,
          ...auth,
          crypto,
        });
        client.send(req.msg);
        const reply = await client.next((m) => 'requestId' in m && m.requestId === req.requestId);
        if (reply.type !== 'vrs.response') return `error:${'code' in reply ? reply.code : reply.type}`;
        const opened = openAnswer({
          sealed: fromBase64Url(reply.sealed) as Uint8Array,
          replyKey: req.replyKey,
          requestId: req.requestId,
          kioskId: kiosk,
          sealedRequest: req.sealed,
          crypto,
        });
        if (!opened.ok) return `unopened:${opened.code}`;
        return opened.answer.outcome === 'refused' ? opened.answer.code : opened.answer.outcome;
      };
      const issuer = {
        signer: { sign: (d: Uint8Array) => jlis.signKenhojo(d) },
        certificateEf: jlis.kenhojoCardCertificate(),
      };
      const taroJpki = cardProof(await jlis.cardFor(taro), kiosk, Date.now());
      const hanakoJpki = cardProof(await jlis.cardFor(hanako), kiosk, Date.now());
      // 131016 chose カードAP (--card-ap): its issuer-signed card data works, a JPKI proof does not.
      expect(await ask(taro.municipality, { card: cardFor(taro, issuer) })).toBe('issued');
      expect(await ask(taro.municipality, { jpki: taroJpki })).toBe('VRS_AUTH_METHOD_NOT_ALLOWED');
      // 271004 has the default: JPKI, checked against the CA, CRL and registry given as files.
      expect(await ask(hanako.municipality, { jpki: hanakoJpki })).toBe('issued');
      expect(await ask(hanako.municipality, { card: cardFor(hanako, issuer) })).toBe(
        'VRS_AUTH_METHOD_NOT_ALLOWED',
      );
    } finally {
      client.close();
      await running.stop();
    }
  });
});
