import { describe, expect, it } from 'vitest';
import type { IssueRequest } from './ports.js';
import { FakeTwoPinCard, settle } from './testing/fakes.js';
import { harness } from './testing/drive.js';

/**
 * The authentication method a municipality uses (PROTOCOL.md "Which method a municipality uses"): JPKI by
 * default; VRS answers VRS_AUTH_METHOD_NOT_ALLOWED for a municipality that chose カードAP, and the kiosk asks
 * for the card again and the 券面事項入力補助用 PIN, each PIN with its own counter on the screen.
 */
function cardApMunicipality(card: FakeTwoPinCard) {
  const h = harness({}, { card });
  const relay = h.ports.relay;
  const issued = relay.issueAnswer;
  relay.issue = async (request: IssueRequest) => {
    relay.requests.push({ ...request, card: { ...request.card } });
    // 131016 chose カードAP at VRS: a JPKI request is refused, the 券面事項入力補助AP data is answered.
    return request.card.method === 'jpki' ? { ok: false, code: 'VRS_AUTH_METHOD_NOT_ALLOWED' } : issued;
  };
  return h;
}

describe('the PIN a municipality needs', () => {
  it('shows both PIN counters on the PIN screen (each PIN has its own)', async () => {
    const card = new FakeTwoPinCard();
    card.tries = { jpki: 3, 'card-ap': 1 };
    const h = harness({}, { card });
    await h.goTo('pin');
    expect(h.view).toMatchObject({
      screen: 'pin',
      pinKind: 'jpki',
      triesLeft: 3,
      otherPin: { pinKind: 'card-ap', triesLeft: 1 },
    });
    // A wrong 利用者証明用 PIN decrements only its own counter.
    h.ports.pinpad.type('9999');
    h.ports.pinpad.press('enter');
    await settle();
    expect(h.view).toMatchObject({ screen: 'pin', wrong: true, triesLeft: 2, otherPin: { triesLeft: 1 } });
    expect(card.tries).toEqual({ jpki: 2, 'card-ap': 1 });
  });

  it('for a カードAP municipality: the card again, the 券面事項入力補助用 PIN, the same request; then the method resets', async () => {
    const card = new FakeTwoPinCard();
    const h = cardApMunicipality(card);
    await h.goTo('copies');
    await h.act({ type: 'choose-copies', copies: 1 });
    expect(h.view).toMatchObject({ screen: 'place-card', again: 'card-ap' });
    expect(card.methodsUsed).toEqual(['card-ap']);
    // The JPKI proof sent first is wiped.
    const first = card.dataGiven[0]!;
    expect(first.method).toBe('jpki');
    if (first.method === 'jpki') expect(first.signature.every((b) => b === 0)).toBe(true);

    card.place();
    await settle();
    expect(h.view).toMatchObject({
      screen: 'pin',
      pinKind: 'card-ap',
      again: true,
      triesLeft: 3,
      otherPin: { pinKind: 'jpki', triesLeft: 3 },
    });
    // The JPKI PIN is not the 券面事項入力補助用 PIN: refused, and only that counter goes down.
    h.ports.pinpad.type('1234');
    h.ports.pinpad.press('enter');
    await settle();
    expect(h.view).toMatchObject({ screen: 'pin', pinKind: 'card-ap', wrong: true, triesLeft: 2 });
    expect(card.tries).toEqual({ jpki: 3, 'card-ap': 2 });
    h.ports.pinpad.type('5678');
    h.ports.pinpad.press('enter');
    await settle();
    expect(h.view.screen).toBe('remove-card');
    card.remove();
    await settle();
    // Straight to the answer with the choices already made: no second municipality screen.
    expect(h.view).toMatchObject({ screen: 'preview', copies: 1, certType: 'domestic' });
    expect(h.ports.relay.requests.map((r) => [r.municipality, r.card.method ?? 'card-ap'])).toEqual([
      ['131016', 'jpki'],
      ['131016', 'card-ap'],
    ]);
    await h.act({ type: 'cancel' });
    expect(card.methodsUsed).toEqual(['card-ap', null]);
    expect(card.next).toBe('jpki');
  });

  it('switches once only: a second refusal ends the transaction with its code', async () => {
    const card = new FakeTwoPinCard();
    const h = harness({}, { card });
    h.ports.relay.issueAnswer = { ok: false, code: 'VRS_AUTH_METHOD_NOT_ALLOWED' };
    await h.goTo('copies');
    await h.act({ type: 'choose-copies', copies: 1 });
    expect(h.view).toMatchObject({ screen: 'place-card', again: 'card-ap' });
    card.place();
    await settle();
    h.ports.pinpad.type('5678');
    h.ports.pinpad.press('enter');
    await settle();
    card.remove();
    await settle();
    expect(h.view).toMatchObject({ screen: 'error', code: 'VRS_AUTH_METHOD_NOT_ALLOWED' });
    expect(card.methodsUsed).toEqual(['card-ap', null]);
    expect(h.flow.transaction).toBeNull();
  });

  it('a cancel while waiting for the card again ends the transaction and restores the method', async () => {
    const card = new FakeTwoPinCard();
    const h = cardApMunicipality(card);
    await h.goTo('copies');
    await h.act({ type: 'choose-copies', copies: 1 });
    expect(h.view.screen).toBe('place-card');
    await h.act({ type: 'cancel' });
    expect(h.view).toMatchObject({ screen: 'ended', reason: 'cancelled' });
    expect(card.next).toBe('jpki');
  });
});
