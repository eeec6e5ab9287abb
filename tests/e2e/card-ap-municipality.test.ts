import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/system.js';
import { waitForScreen } from '../support/wait.js';

/**
 * The whole system (simulated devices on real ptys, VRS, relay, kiosk core) with one municipality, 131016,
 * configured for カードAP at VRS and the rest on JPKI (the default): a JPKI municipality goes straight to the
 * preview; for 131016 VRS refuses the JPKI proof, the kiosk asks for the card again and the 券面事項入力補助用
 * PIN, and the same request then gets the preview. Both PIN counters are the card's own (the emulator's).
 */
let sys: TestSystem;

beforeAll(async () => {
  sys = await startTestSystem({ cardApMunicipalities: ['131016'] });
}, 180_000);
afterAll(async () => {
  await sys?.shutdown();
});

async function toCopies(resident: string, pin: string, municipality: string) {
  const flow = sys.kiosk.flow;
  await sys.panel('POST', '/api/card', { resident });
  await waitForScreen(flow, 'menu');
  flow.intent({ type: 'choose-service', service: 'covid-vaccine-certificate' });
  const pinView = await waitForScreen(flow, 'pin');
  await sys.panel('POST', '/api/pinpad/keys', { keys: `${pin}E` });
  await waitForScreen(flow, 'remove-card');
  await sys.panel('DELETE', '/api/card');
  await waitForScreen(flow, 'municipality');
  flow.intent({ type: 'choose-municipality', code: municipality });
  flow.intent({ type: 'choose-cert-type', certType: 'domestic' });
  flow.intent({ type: 'choose-copies', copies: 1 });
  return pinView;
}

async function end() {
  const flow = sys.kiosk.flow;
  flow.intent({ type: 'cancel' });
  await waitForScreen(flow, 'ended');
  flow.intent({ type: 'done' });
  await waitForScreen(flow, 'attract', 30_000);
}

describe('authentication method per municipality, end to end', () => {
  it('a JPKI municipality: the 利用者証明用 PIN only, both counters shown, straight to the preview', async () => {
    await sys.panel('POST', '/api/card', { resident: 'hanako' });
    await sys.panel('POST', '/api/card/pin-tries', { remaining: 2 });
    await sys.panel('DELETE', '/api/card');
    const pin = await toCopies('hanako', '5678', '271004');
    expect(pin).toMatchObject({
      screen: 'pin',
      pinKind: 'jpki',
      triesLeft: 3,
      otherPin: { pinKind: 'card-ap', triesLeft: 2 },
    });
    expect(await waitForScreen(sys.kiosk.flow, ['preview', 'error'])).toMatchObject({ screen: 'preview' });
    await end();
    await sys.panel('POST', '/api/card', { resident: 'hanako' });
    await sys.panel('POST', '/api/card/pin-tries', { remaining: 3 });
    await sys.panel('DELETE', '/api/card');
  }, 120_000);

  it('a カードAP municipality: the card again, the 券面事項入力補助用 PIN, then the preview', async () => {
    const flow = sys.kiosk.flow;
    await toCopies('taro', '1234', '131016');
    expect(await waitForScreen(flow, ['place-card', 'error'])).toMatchObject({
      screen: 'place-card',
      again: 'card-ap',
    });
    await sys.panel('POST', '/api/card', { resident: 'taro' });
    const pin = await waitForScreen(flow, 'pin');
    expect(pin).toMatchObject({
      pinKind: 'card-ap',
      again: true,
      triesLeft: 3,
      otherPin: { pinKind: 'jpki', triesLeft: 3 },
    });
    // A wrong 券面事項入力補助用 PIN lowers only its own counter.
    await sys.panel('POST', '/api/pinpad/keys', { keys: '9999E' });
    const wrong = await waitForScreen(flow, 'pin', 15_000, (v) => v.screen === 'pin' && v.wrong);
    expect(wrong).toMatchObject({ triesLeft: 2, pinKind: 'card-ap' });
    const state = await sys.panel<{ remainingTries: number; jpkiRemainingTries: number }>('GET', '/api/card');
    expect(state).toMatchObject({ remainingTries: 2, jpkiRemainingTries: 3 });
    await sys.panel('POST', '/api/pinpad/keys', { keys: '1234E' });
    await waitForScreen(flow, 'remove-card');
    await sys.panel('DELETE', '/api/card');
    const preview = await waitForScreen(flow, ['preview', 'error']);
    expect(preview).toMatchObject({ screen: 'preview', copies: 1, certType: 'domestic' });
    await end();
    // The next transaction starts with JPKI again.
    await sys.panel('POST', '/api/card', { resident: 'taro' });
    await waitForScreen(flow, 'menu');
    flow.intent({ type: 'choose-service', service: 'covid-vaccine-certificate' });
    expect(await waitForScreen(flow, 'pin')).toMatchObject({ pinKind: 'jpki' });
    flow.intent({ type: 'cancel' });
    await sys.panel('DELETE', '/api/card');
  }, 180_000);
});
