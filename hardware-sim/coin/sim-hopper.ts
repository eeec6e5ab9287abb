import { ADDRESS, HEADER } from '../../kiosk/drivers/coin/cctalk-frame.js';
import { HOPPER_FLAG } from '../../kiosk/drivers/coin/hopper.js';
import type { SimEventLog } from '../core/events.js';
import { SimCcTalkDevice, ascii, type CcTalkAnswer } from './cctalk-device.js';

export const SIM_HOPPER_SERIAL = [0x56, 0x34, 0x12] as const;

/**
 * A ccTalk payout hopper (address 3) holding 10-yen coins. `164 [165]` enables it; `167 [serial ×3] [n]`
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

  constructor(
    private readonly events?: SimEventLog,
    coins = 200,
    private readonly coinMs = 20,
  ) {
    super(ADDRESS.hopper);
    this.coins = coins;
  }

  get jammed(): boolean {
    return this.#jammed;
  }

  get paying(): boolean {
    return this.#remaining > 0;
  }

  setJam(jammed: boolean): void {
    this.#jammed = jammed;
    this.events?.emit('hopper', jammed ? 'jam' : 'jam-cleared');
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
    this.events?.emit('hopper', 'payout-start', { coins: n });
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
      this.events?.emit('hopper', 'payout-done', { coins: this.#paid });
    }
  }

  #halt(flag: number, event: string): void {
    this.#flags |= flag;
    this.#unpaid = this.#remaining;
    this.#remaining = 0;
    this.stop();
    this.events?.emit('hopper', event, { paid: this.#paid, unpaid: this.#unpaid });
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
