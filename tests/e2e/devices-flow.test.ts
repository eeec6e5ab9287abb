import { X509Certificate, verify as rsaVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedBody } from '../../protocol/index.js';
import { startSimulator, type RunningSimulator } from '../../hardware-sim/runtime.js';
import { certificatePort, previewOf } from '../../kiosk/core/devices/index.js';
import type { IssueRequest, RelayPort } from '../../kiosk/core/flow/index.js';
import type { JpkiCardData } from '../../kiosk/core/flow/ports.js';
import { createTestIssuer, sampleAnswer } from '../../kiosk/core/certificate/testing/fixtures.js';
import { startKioskRuntime, type KioskRuntime } from '../../kiosk/main/runtime.js';
import { memoryLogger } from '../../kiosk/core/flow/testing/drive.js';
import { waitForScreen } from '../support/wait.js';
import { jpkiChallenge } from '../../protocol/card-data/jpki.js';

const KIOSK_ID = 'K'.repeat(43);

/**
 * The flow over the real drivers and the hardware simulators (PN532 on a pty, PJL printer on a pty, HID PIN
 * pad over loopback, ccTalk coin acceptor and hopper on ptys), with the relay replaced by a local answer so
 * this test needs no relay or VRS. The whole system (relay + VRS) is exercised in tests/browser/kiosk-e2e.
 */
let dir: string;
let sim: RunningSimulator;
let kiosk: KioskRuntime<IssuedBody>;
let panel: string;
const logs: string[] = [];
const requests: IssueRequest[] = [];
/** Copies of the JPKI proofs taken when the relay port got them (the flow wipes its own afterwards). */
const copies: JpkiCardData[] = [];
let answer: IssuedBody;

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${panel}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: unknown = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-devices-'));
  sim = await startSimulator({ stateDir: dir });
  panel = sim.info['panel']!;
  answer = await sampleAnswer(await createTestIssuer(), { certType: 'domestic', doses: 2 });
  const relay: RelayPort<IssuedBody> = {
    available: () => true,
    municipalities: async () => ({
      ok: true,
      list: ['131016'],
    }),
    issue: async (req) => {
      requests.push({ ...req, card: { ...req.card } });
      // The nonce is wiped with the rest; keep a copy as well.
      if (req.card.method === 'jpki')
        copies.push({
          ...req.card,
          certificate: req.card.certificate.slice(),
          signature: req.card.signature.slice(),
          nonce: req.card.nonce.slice(),
        });
      return { ok: true, outcome: 'issued', preview: previewOf(answer), certificate: answer };
    },
  };
  kiosk = await startKioskRuntime(
    {
      devices: {
        reader: sim.info['reader'],
        printer: sim.info['printer'],
        pinpad: sim.info['pinpad'],
        coinAcceptor: sim.info['coinAcceptor'],
        hopper: sim.info['hopper'],
      },
    },
    { relay, certificate: certificatePort, log: memoryLogger(logs, 'kiosk'), kioskId: KIOSK_ID },
  );
}, 60_000);

afterAll(async () => {
  await kiosk?.stop();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the flow over the real drivers and the simulators', () => {
  it('card, wrong PIN, right PIN, removal, payment with change, print with job end', async () => {
    const flow = kiosk.flow;
    await api('POST', '/api/card', { resident: 'taro' });
    await waitForScreen(flow, 'menu');
    expect(flow.intent({ type: 'choose-service', service: 'covid-vaccine-certificate' })).toEqual({
      ok: true,
    });
    const pin = await waitForScreen(flow, 'pin');
    expect(pin).toMatchObject({ triesLeft: 3, digits: 0 });
    await api('POST', '/api/pinpad/keys', { keys: '12' });
    await waitForScreen(flow, 'pin', 5000, (v) => v.screen === 'pin' && v.digits === 2);
    await api('POST', '/api/pinpad/keys', { keys: '99E' });
    await waitForScreen(flow, 'pin', 15_000, (v) => v.screen === 'pin' && v.wrong);
    expect(flow.view).toMatchObject({ triesLeft: 2 });
    await api('POST', '/api/pinpad/keys', { keys: '1234E' });
    await waitForScreen(flow, 'remove-card');
    await api('DELETE', '/api/card');
    await waitForScreen(flow, 'municipality');
    flow.intent({ type: 'choose-municipality', code: '131016' });
    flow.intent({ type: 'choose-cert-type', certType: 'domestic' });
    flow.intent({ type: 'choose-copies', copies: 1 });
    await waitForScreen(flow, 'preview');
    // JPKI (the default): the request carried the card's 利用者証明用 certificate, issued by the J-LIS
    // stand-in's CA, and its signature over a fresh challenge for this kiosk, made over the PN532.
    // The My Number was never read.
    const card = requests[0]!.card;
    if (card.method !== 'jpki') throw new Error('JPKI authentication expected');
    const proof = copies[0]!;
    const cert = new X509Certificate(proof.certificate);
    expect(cert.checkIssued(new X509Certificate(readFileSync(join(dir, 'jlis', 'auth-ca.pem'))))).toBe(true);
    const challenge = jpkiChallenge({ kioskId: KIOSK_ID, nonce: proof.nonce, signedAt: proof.signedAt });
    expect(rsaVerify('sha256', challenge, cert.publicKey, proof.signature)).toBe(true);
    expect(Math.abs(Date.now() - card.signedAt)).toBeLessThan(60_000);
    flow.intent({ type: 'confirm' });
    await waitForScreen(flow, 'payment');
    await until(
      async () =>
        ((await api('GET', '/api/state')) as { 'coin-acceptor': { accepting: boolean } })['coin-acceptor']
          .accepting,
    );
    await api('POST', '/api/coins', { yen: 100 });
    await waitForScreen(flow, 'payment', 5000, (v) => v.screen === 'payment' && v.inserted === 100);
    await api('POST', '/api/coins', { yen: 100 });
    await waitForScreen(flow, 'take-certificate', 60_000).catch((e: unknown) => {
      console.log(logs.filter((l) => l.includes('printer') || l.includes('flow')).join('\n'));
      console.log(JSON.stringify(sim.events.recent().filter((e) => e.device === 'printer')));
      throw e;
    });
    const jobs = (await api('GET', '/api/printer/jobs')) as { status: string; pages: number }[];
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ pages: 1 });
    // 80 yen of change in the fewest coins: one 50 and three 10s (not eight 10s).
    const state = (await api('GET', '/api/state')) as {
      hopper: { hoppers: { yen: number; paidCoins: number }[] };
    };
    expect(state.hopper.hoppers.map((h) => [h.yen, h.paidCoins])).toEqual([
      [100, 0],
      [50, 1],
      [10, 3],
    ]);
    // Card bytes handed to the relay port were wiped after the transaction.
    expect(card.signature.every((b) => b === 0)).toBe(true);
    expect(card.certificate.every((b) => b === 0)).toBe(true);
    expect(logs.join('\n')).not.toMatch(/1234|試験|990000/);
  }, 120_000);
});
