import { ADDRESS, HEADER } from './cctalk-frame.js';
import type { BusFailure, CcTalkBus } from './cctalk-bus.js';
import { readCreditBuffer, type AcceptorEvent } from './credit-events.js';

/** Coin ids like `JP100A`: country `JP`, value, issue letter. Channels with other ids are never enabled. */
export function yenOfCoinId(id: string): number | undefined {
  const m = /^JP(\d{3})[A-Z]$/.exec(id);
  if (!m) return undefined;
  const v = Number(m[1]);
  return [10, 50, 100, 500].includes(v) ? v : undefined;
}

export type AcceptorFailure = BusFailure | 'COIN_WRONG_DEVICE';

export type CoinEvent =
  | { type: 'coin'; channel: number; yen: number }
  | { type: 'rejected'; code: number }
  | { type: 'jam' }
  | { type: 'lost'; count: number }
  | { type: 'reset' };

/**
 * A ccTalk coin acceptor (address 2) for 10/50/100/500 yen. `init()` checks the category, learns the
 * coin channels and the current event counter, and inhibits everything; `poll()` returns each new event
 * exactly once, using the event counter (a repeated poll or a lost reply neither loses nor doubles one).
 */
export class CoinAcceptor {
  #channels = new Map<number, number>();
  #counter: number | undefined;

  constructor(
    /** The line to the acceptor; replaced after a reconnect. */
    public bus: CcTalkBus,
    private readonly address: number = ADDRESS.coinAcceptor,
  ) {}

  get channels(): ReadonlyMap<number, number> {
    return this.#channels;
  }

  /** `keepCounter`: after a reconnect, keep counting from the last counter seen (events while away count). */
  async init(keepCounter = false): Promise<{ ok: true } | { ok: false; code: AcceptorFailure }> {
    const poll = await this.bus.request(this.address, HEADER.simplePoll);
    if (!poll.ok) return poll;
    const cat = await this.bus.request(this.address, HEADER.requestEquipmentCategory);
    if (!cat.ok) return cat;
    if (String.fromCharCode(...cat.data) !== 'Coin Acceptor') return { ok: false, code: 'COIN_WRONG_DEVICE' };
    const channels = new Map<number, number>();
    for (let ch = 1; ch <= 16; ch++) {
      const id = await this.bus.request(this.address, HEADER.requestCoinId, [ch]);
      if (!id.ok) return id;
      const yen = yenOfCoinId(String.fromCharCode(...id.data));
      if (yen !== undefined) channels.set(ch, yen);
    }
    this.#channels = channels;
    const off = await this.setAccepting(false);
    if (!off.ok) return off;
    if (!keepCounter || this.#counter === undefined) {
      const buf = await this.bus.request(this.address, HEADER.readBufferedCredit);
      if (!buf.ok) return buf;
      const r = readCreditBuffer(buf.data, undefined);
      if (!r.ok) return r;
      this.#counter = r.counter;
    }
    return { ok: true };
  }

  /**
   * Opens (the known coin channels, or only those worth one of `values`, + master) or closes (master
   * inhibit) the coin entry. A coin on an inhibited channel is handed straight back by the acceptor.
   */
  async setAccepting(
    on: boolean,
    values?: readonly number[],
  ): Promise<{ ok: true } | { ok: false; code: BusFailure }> {
    let mask = 0;
    if (on)
      for (const [ch, yen] of this.#channels) if (!values || values.includes(yen)) mask |= 1 << (ch - 1);
    const inh = await this.bus.request(this.address, HEADER.modifyInhibitStatus, [
      mask & 0xff,
      (mask >> 8) & 0xff,
    ]);
    if (!inh.ok) return inh;
    const master = await this.bus.request(this.address, HEADER.modifyMasterInhibit, [on ? 1 : 0]);
    if (!master.ok) return master;
    return { ok: true };
  }

  async poll(): Promise<{ ok: true; events: CoinEvent[] } | { ok: false; code: BusFailure }> {
    const r = await this.bus.request(this.address, HEADER.readBufferedCredit);
    if (!r.ok) return r;
    const parsed = readCreditBuffer(r.data, this.#counter);
    if (!parsed.ok) return parsed;
    this.#counter = parsed.counter;
    const out: CoinEvent[] = [];
    if (parsed.reset) out.push({ type: 'reset' });
    if (parsed.lost > 0) out.push({ type: 'lost', count: parsed.lost });
    for (const e of parsed.events) out.push(...this.#map(e));
    return { ok: true, events: out };
  }

  #map(e: AcceptorEvent): CoinEvent[] {
    if (e.type === 'credit') {
      const yen = this.#channels.get(e.channel);
      // A credit on an unknown channel cannot be valued: treat as lost so it is reconciled by hand.
      return yen === undefined ? [{ type: 'lost', count: 1 }] : [{ type: 'coin', channel: e.channel, yen }];
    }
    if (e.code === 0) return [];
    if (e.code === 14) return [{ type: 'jam' }];
    return [{ type: 'rejected', code: e.code }];
  }
}
