import { ADDRESS, HEADER } from '../../kiosk/drivers/coin/cctalk-frame.js';
import { HOPPER_FLAG, LEVEL_FLAG } from '../../kiosk/drivers/coin/hopper.js';
import type { SimEventLog } from '../core/events.js';
import { SimCcTalkDevice, ascii, type CcTalkAnswer } from './cctalk-device.js';

export const SIM_HOPPER_SERIAL = [0x56, 0x34, 0x12] as const;

/**
 * A ccTalk payout hopper (address 3 for 10-yen coins; 4 and 5 for 50 and 100 yen). `217` reports its
 * low-level sensor: "low" at or below `lowLevel` coins (default 5), as a real sensor trips with a few left. `164 [165]` enables it; `167 [serial ×3] [n]`
 * starts a payout (one coin every `coinMs`); `166` reports `[event counter, remaining, paid, unpaid]`;
 * `163` reports the status flags: payout timeout when it runs empty, opto blocked when jammed.
 */
export class SimHopper extends SimCcTalkDevice {
  coins: number;
  #enabled = false;
  #counter = 0;
  #remaining = 0;
  #paid = 0;
  #unpaid = 0;
  #flags = 0;
  #jammed = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #jamAfter: number | undefined;
  paidTotal = 0;

  /** Coins at or below which the low-level sensor trips. */
  lowLevel: number;

  constructor(
    private readonly events?: SimEventLog,
    coins = 200,
    private readonly coinMs = 20,
    /** The coin this hopper holds and its ccTalk address. */
    readonly coin: { yen: number; address: number; lowLevel?: number } = { yen: 10, address: ADDRESS.hopper },
  ) {
    super(coin.address);
    this.coins = coins;
    this.lowLevel = coin.lowLevel ?? 5;
  }

  get jammed(): boolean {
    return this.#jammed;
  }

  get paying(): boolean {
    return this.#remaining > 0;
  }

  setJam(jammed: boolean): void {
    this.#jammed = jammed;
    this.events?.emit('hopper', jammed ? 'jam' : 'jam-cleared', { yen: this.coin.yen });
    if (!jammed) this.#flags &= ~HOPPER_FLAG.optoBlocked;
  }

  /** Fault injection: the next payout jams after `coins` coins came out. */
  jamAfter(coins: number): void {
    this.#jamAfter = coins;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #startPayout(n: number): void {
    this.#counter = this.#counter >= 255 ? 1 : this.#counter + 1;
    this.#remaining = n;
    this.#paid = 0;
    this.#unpaid = 0;
    this.#flags &= ~(HOPPER_FLAG.payoutTimeout | HOPPER_FLAG.optoBlocked);
    this.events?.emit('hopper', 'payout-start', { yen: this.coin.yen, coins: n });
    this.stop();
    this.#timer = setInterval(() => this.#tick(), this.coinMs);
  }

  #tick(): void {
    if (this.#remaining === 0) return this.stop();
    if (this.#jamAfter !== undefined && this.#paid >= this.#jamAfter) {
      this.#jamAfter = undefined;
      this.setJam(true);
    }
    if (this.#jammed) return this.#halt(HOPPER_FLAG.optoBlocked, 'payout-jammed');
    if (this.coins === 0) return this.#halt(HOPPER_FLAG.payoutTimeout, 'payout-empty');
    this.coins--;
    this.#paid++;
    this.paidTotal++;
    this.#remaining--;
    if (this.#remaining === 0) {
      this.stop();
      this.events?.emit('hopper', 'payout-done', { yen: this.coin.yen, coins: this.#paid });
    }
  }

  #halt(flag: number, event: string): void {
    this.#flags |= flag;
    this.#unpaid = this.#remaining;
    this.#remaining = 0;
    this.stop();
    this.events?.emit('hopper', event, { yen: this.coin.yen, paid: this.#paid, unpaid: this.#unpaid });
  }

  protected handle(header: number, data: Uint8Array): CcTalkAnswer {
    switch (header) {
      case HEADER.simplePoll:
        return { data: [] };
      case HEADER.requestEquipmentCategory:
        return { data: ascii('Payout') };
      case HEADER.requestManufacturerId:
        return { data: ascii('SIM') };
      case HEADER.requestSerialNumber:
        return { data: [...SIM_HOPPER_SERIAL] };
      case HEADER.enableHopper:
        this.#enabled = data[0] === 165;
        return { data: [] };
      case HEADER.dispenseHopperCoins: {
        const sn = [...data.subarray(0, 3)];
        const n = data[3];
        if (data.length !== 4 || sn.some((b, i) => b !== SIM_HOPPER_SERIAL[i]) || n === undefined)
          return 'nak';
        if (!this.#enabled || this.#remaining > 0) return 'nak';
        this.#startPayout(n);
        return { data: [this.#counter] };
      }
      case HEADER.requestHopperStatus:
        return { data: [this.#counter, this.#remaining, this.#paid, this.#unpaid] };
      case HEADER.requestPayoutHighLowStatus:
        return { data: [LEVEL_FLAG.lowSensor | (this.coins <= this.lowLevel ? LEVEL_FLAG.low : 0)] };
      case HEADER.testHopper:
        return { data: [this.#flags, 0] };
      case HEADER.emergencyStop: {
        const left = this.#remaining;
        if (left > 0) this.#halt(0, 'payout-stopped');
        return { data: [left] };
      }
      default:
        return null;
    }
  }
}

/**
 * The kiosk's three change hoppers (100, 50 and 10 yen) on one ccTalk line, multi-drop: each answers its
 * own address; the wire's echo is sent once for the line.
 */
export class SimHopperBank extends SimCcTalkDevice {
  readonly hoppers: readonly SimHopper[];

  constructor(hoppers: readonly SimHopper[]) {
    super(ADDRESS.hopper);
    this.hoppers = hoppers;
  }

  byYen(yen: number): SimHopper | undefined {
    return this.hoppers.find((h) => h.coin.yen === yen);
  }

  stop(): void {
    for (const h of this.hoppers) h.stop();
  }

  protected override answersTo(dest: number): boolean {
    return this.hoppers.some((h) => h.address === dest);
  }

  protected override answerFor(dest: number, header: number, data: Uint8Array): CcTalkAnswer {
    const h = this.hoppers.find((x) => x.address === dest)!;
    const a = h.answer(header, data);
    return a !== null && h.consumeDrop() ? null : a;
  }

  protected handle(): CcTalkAnswer {
    return null;
  }
}
