import { ADDRESS, HEADER } from './cctalk-frame.js';
import type { BusFailure, CcTalkBus } from './cctalk-bus.js';

/** The smallest coin a hopper pays (the 10-yen hopper); every amount paid out is a multiple of it. */
export const HOPPER_COIN_YEN = 10;

/** The kiosk's change hoppers on one ccTalk line (multi-drop), one address per coin value. */
export const HOPPERS: readonly { address: number; yen: number }[] = [
  { address: ADDRESS.hopper100, yen: 100 },
  { address: ADDRESS.hopper50, yen: 50 },
  { address: ADDRESS.hopper, yen: 10 },
];

/** Header 217 reply bits. */
export const LEVEL_FLAG = { low: 0x01, high: 0x02, lowSensor: 0x10, highSensor: 0x20 } as const;

export interface HopperLevel {
  /** At or below the low-level sensor ("nearly empty"). */
  low: boolean;
  high: boolean;
  /** Whether a low-level sensor is fitted (without one, `low` says nothing). */
  lowSensor: boolean;
}

/** Test hopper (163) register 1 bits used here. */
export const HOPPER_FLAG = { maxCurrentExceeded: 0x01, payoutTimeout: 0x02, optoBlocked: 0x20 } as const;

export type DispenseResult =
  | { ok: true; paid: number }
  | { ok: false; code: 'HOPPER_EMPTY' | 'HOPPER_JAM' | BusFailure | 'COIN_WRONG_DEVICE'; paid: number };

interface HopperStatus {
  counter: number;
  remaining: number;
  paid: number;
  unpaid: number;
}

/**
 * A ccTalk payout hopper (address 3), unencrypted dispense: `167 [serial number, 3 bytes LSB first]
 * [coins]` after `164 [165]` (enable). Progress and the outcome of the last payout come from
 * `166 Request hopper status` = `[event counter] [coins remaining] [last payout: paid] [last payout: unpaid]`;
 * the event counter tells whether a dispense whose reply was lost was carried out, so it is never sent
 * twice. A payout that ends with coins unpaid is classified with `163 Test hopper`.
 */
export class Hopper {
  #serial: number[] = [];

  constructor(
    /** The line to the hopper; replaced after a reconnect. */
    public bus: CcTalkBus,
    private readonly address: number = ADDRESS.hopper,
    private readonly pollMs = 50,
    private readonly payoutTimeoutMs = 30_000,
  ) {}

  async init(): Promise<{ ok: true } | { ok: false; code: BusFailure | 'COIN_WRONG_DEVICE' }> {
    const poll = await this.bus.request(this.address, HEADER.simplePoll);
    if (!poll.ok) return poll;
    const cat = await this.bus.request(this.address, HEADER.requestEquipmentCategory);
    if (!cat.ok) return cat;
    if (String.fromCharCode(...cat.data) !== 'Payout') return { ok: false, code: 'COIN_WRONG_DEVICE' };
    const sn = await this.bus.request(this.address, HEADER.requestSerialNumber);
    if (!sn.ok) return sn;
    if (sn.data.length !== 3) return { ok: false, code: 'COIN_BAD_FRAME' };
    this.#serial = [...sn.data];
    return { ok: true };
  }

  /** `217 Request payout high / low status`: the level sensors. */
  async level(): Promise<{ ok: true; level: HopperLevel } | { ok: false; code: BusFailure }> {
    const r = await this.bus.request(this.address, HEADER.requestPayoutHighLowStatus);
    if (!r.ok) return r;
    if (r.data.length !== 1) return { ok: false, code: 'COIN_BAD_FRAME' };
    const b = r.data[0]!;
    return {
      ok: true,
      level: {
        low: (b & LEVEL_FLAG.low) !== 0,
        high: (b & LEVEL_FLAG.high) !== 0,
        lowSensor: (b & LEVEL_FLAG.lowSensor) !== 0,
      },
    };
  }

  async status(): Promise<{ ok: true; status: HopperStatus } | { ok: false; code: BusFailure }> {
    const r = await this.bus.request(this.address, HEADER.requestHopperStatus);
    if (!r.ok) return r;
    if (r.data.length !== 4) return { ok: false, code: 'COIN_BAD_FRAME' };
    const [counter, remaining, paid, unpaid] = [...r.data] as [number, number, number, number];
    return { ok: true, status: { counter, remaining, paid, unpaid } };
  }

  /**
   * `163 Test hopper`, register 1: whether the coin path is blocked (the opto sensors saw a coin stuck during
   * the last payout and the jam has not been cleared). Used to tell when a jammed hopper works again.
   */
  async jammed(): Promise<{ ok: true; jammed: boolean } | { ok: false; code: BusFailure }> {
    const r = await this.bus.request(this.address, HEADER.testHopper);
    if (!r.ok) return r;
    if (r.data.length < 1) return { ok: false, code: 'COIN_BAD_FRAME' };
    return { ok: true, jammed: (r.data[0]! & HOPPER_FLAG.optoBlocked) !== 0 };
  }

  /** Pays `coins` coins and reports how many actually came out. */
  async dispense(coins: number): Promise<DispenseResult> {
    if (!Number.isInteger(coins) || coins < 1 || coins > 255) throw new TypeError('coins: 1–255 expected');
    const before = await this.status();
    if (!before.ok) return { ...before, paid: 0 };
    const enable = await this.bus.request(this.address, HEADER.enableHopper, [165]);
    if (!enable.ok) return { ...enable, paid: 0 };
    // No automatic retry: a repeated dispense would pay twice. A lost reply is resolved from the counter.
    const sent = await this.bus.request(
      this.address,
      HEADER.dispenseHopperCoins,
      [...this.#serial, coins],
      0,
    );
    if (!sent.ok) {
      if (sent.code === 'COIN_NAK' || sent.code === 'DEVICE_DISCONNECTED') return { ...sent, paid: 0 };
      const check = await this.status();
      if (!check.ok) return { ...check, paid: 0 };
      if (check.status.counter === before.status.counter) {
        const again = await this.bus.request(
          this.address,
          HEADER.dispenseHopperCoins,
          [...this.#serial, coins],
          0,
        );
        if (!again.ok) return { ...again, paid: 0 };
      }
    }
    const deadline = Date.now() + this.payoutTimeoutMs;
    let knownPaid = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, this.pollMs));
      const s = await this.status();
      if (!s.ok) {
        // The line went away mid-payout: report what is known to have come out.
        if (s.code === 'DEVICE_DISCONNECTED' || Date.now() > deadline)
          return { ok: false, code: s.code, paid: knownPaid };
        continue;
      }
      knownPaid = s.status.paid;
      if (s.status.remaining > 0 && Date.now() <= deadline) continue;
      const { paid, unpaid } = s.status;
      if (unpaid === 0 && s.status.remaining === 0 && paid === coins) return { ok: true, paid };
      const test = await this.bus.request(this.address, HEADER.testHopper);
      const flags = test.ok ? (test.data[0] ?? 0) : 0;
      const code = flags & HOPPER_FLAG.payoutTimeout ? 'HOPPER_EMPTY' : 'HOPPER_JAM';
      await this.bus.request(this.address, HEADER.emergencyStop);
      return { ok: false, code, paid };
    }
  }
}
