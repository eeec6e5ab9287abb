import { ADDRESS, HEADER } from '../../kiosk/drivers/coin/cctalk-frame.js';
import type { SimEventLog } from '../core/events.js';
import { SimCcTalkDevice, ascii, type CcTalkAnswer } from './cctalk-device.js';

/** Coin channels of the simulated acceptor. */
export const SIM_COIN_CHANNELS: readonly { channel: number; id: string; yen: number }[] = [
  { channel: 1, id: 'JP010A', yen: 10 },
  { channel: 2, id: 'JP050A', yen: 50 },
  { channel: 3, id: 'JP100A', yen: 100 },
  { channel: 4, id: 'JP500A', yen: 500 },
];

export type InsertOutcome = 'accepted' | 'inhibited' | 'jammed' | 'rejected';

/**
 * A ccTalk coin acceptor (address 2) taking 10/50/100/500 yen. Inserting a coin puts an event in the
 * 5-entry buffer read with header 229 and bumps the event counter (1…255, wrapping to 1): a credit when
 * master inhibit is off and its channel enabled, otherwise "inhibited coin" (error 2, coin returned).
 * A jam (credit sensor blocked, error 14) returns every coin until cleared. Other coins are rejected.
 */
export class SimCoinAcceptor extends SimCcTalkDevice {
  #counter = 0;
  #buffer: [number, number][] = [];
  #master = false;
  #mask = 0;
  #jammed = false;
  acceptedYen = 0;

  constructor(private readonly events?: SimEventLog) {
    super(ADDRESS.coinAcceptor);
  }

  get accepting(): boolean {
    return this.#master && this.#mask !== 0;
  }

  /** Coin values the entry takes now (master open and channel enabled). */
  get enabledValues(): number[] {
    if (!this.#master) return [];
    return SIM_COIN_CHANNELS.filter((c) => (this.#mask & (1 << (c.channel - 1))) !== 0).map((c) => c.yen);
  }

  get jammed(): boolean {
    return this.#jammed;
  }

  get counter(): number {
    return this.#counter;
  }

  setJam(jammed: boolean): void {
    if (jammed === this.#jammed) return;
    this.#jammed = jammed;
    this.events?.emit('coin-acceptor', jammed ? 'jam' : 'jam-cleared');
    if (jammed) this.#event(0, 14);
  }

  insert(yen: number): InsertOutcome {
    const ch = SIM_COIN_CHANNELS.find((c) => c.yen === yen);
    let outcome: InsertOutcome;
    if (this.#jammed) outcome = 'jammed';
    else if (!ch) {
      this.#event(0, 1);
      outcome = 'rejected';
    } else if (!this.#master || (this.#mask & (1 << (ch.channel - 1))) === 0) {
      this.#event(0, 2);
      outcome = 'inhibited';
    } else {
      this.#event(ch.channel, 1);
      this.acceptedYen += yen;
      outcome = 'accepted';
    }
    this.events?.emit('coin-acceptor', 'coin', { yen, outcome });
    return outcome;
  }

  #event(a: number, b: number): void {
    this.#counter = this.#counter >= 255 ? 1 : this.#counter + 1;
    this.#buffer.unshift([a, b]);
    this.#buffer.length = Math.min(this.#buffer.length, 5);
  }

  protected handle(header: number, data: Uint8Array): CcTalkAnswer {
    switch (header) {
      case HEADER.simplePoll:
        return { data: [] };
      case HEADER.requestEquipmentCategory:
        return { data: ascii('Coin Acceptor') };
      case HEADER.requestManufacturerId:
        return { data: ascii('SIM') };
      case HEADER.requestCoinId: {
        const ch = SIM_COIN_CHANNELS.find((c) => c.channel === data[0]);
        return { data: ascii(ch ? ch.id : '......') };
      }
      case HEADER.readBufferedCredit: {
        const out = [this.#counter];
        for (let i = 0; i < 5; i++) out.push(...(this.#buffer[i] ?? [0, 0]));
        return { data: out };
      }
      case HEADER.modifyInhibitStatus:
        if (data.length !== 2) return 'nak';
        this.#mask = data[0]! | (data[1]! << 8);
        this.events?.emit('coin-acceptor', 'inhibits', { accepting: this.accepting });
        return { data: [] };
      case HEADER.requestInhibitStatus:
        return { data: [this.#mask & 0xff, this.#mask >> 8] };
      case HEADER.modifyMasterInhibit:
        if (data.length !== 1) return 'nak';
        this.#master = (data[0]! & 1) === 1;
        this.events?.emit('coin-acceptor', 'master-inhibit', { accepting: this.accepting });
        return { data: [] };
      case HEADER.requestMasterInhibit:
        return { data: [this.#master ? 1 : 0] };
      case HEADER.resetDevice:
        this.#counter = 0;
        this.#buffer = [];
        this.#master = false;
        this.#mask = 0;
        return { data: [] };
      default:
        return null; // unsupported header: no reply, as many devices do
    }
  }
}
