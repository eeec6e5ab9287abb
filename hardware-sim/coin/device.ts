import type { Hono } from 'hono';
import { z } from 'zod';
import { SimApiError, type SimContext, type SimDevice } from '../core/device.js';
import { parseBody } from '../panel/parse-body.js';
import { CcTalkPort } from './serial-port.js';
import { SimCoinAcceptor } from './sim-acceptor.js';
import { SimHopper, SimHopperBank } from './sim-hopper.js';
import { ADDRESS } from '../../kiosk/drivers/coin/cctalk-frame.js';

const CoinBody = z.object({ yen: z.number().int().min(1).max(10_000) });
const AcceptorFaultBody = z.object({ fault: z.enum(['jam', 'clear']) });
const HopperBody = z
  .object({
    /** Which hopper (default the 10-yen one). */
    yen: z.union([z.literal(10), z.literal(50), z.literal(100)]).optional(),
    coins: z.number().int().min(0).max(10_000).optional(),
    fault: z.enum(['empty', 'jam', 'clear']).optional(),
  })
  .refine((b) => b.coins !== undefined || b.fault !== undefined, 'coins or fault is required');

/** The ccTalk coin acceptor on its virtual serial port (`coinAcceptor` in the `npm run sim` JSON line). */
export class CoinAcceptorDevice implements SimDevice {
  readonly id = 'coin-acceptor';
  #acceptor: SimCoinAcceptor | undefined;
  #port: CcTalkPort | undefined;

  get acceptor(): SimCoinAcceptor {
    if (!this.#acceptor) throw new SimApiError('SIM_NOT_STARTED', 'coin acceptor not started', 503);
    return this.#acceptor;
  }

  get port(): CcTalkPort {
    if (!this.#port) throw new SimApiError('SIM_NOT_STARTED', 'coin acceptor not started', 503);
    return this.#port;
  }

  async start(ctx: SimContext): Promise<Record<string, string>> {
    this.#acceptor = new SimCoinAcceptor(ctx.events);
    this.#port = new CcTalkPort(ctx.portsDir, 'coin-acceptor', this.#acceptor);
    await this.#port.plug();
    return { coinAcceptor: this.#port.pair.hostPath };
  }

  routes(app: Hono): void {
    app.post('/api/coins', async (c) => {
      const { yen } = await parseBody(c, CoinBody);
      const outcome = this.acceptor.insert(yen);
      return c.json({ ok: true, outcome });
    });
    app.post('/api/coin-acceptor/fault', async (c) => {
      const { fault } = await parseBody(c, AcceptorFaultBody);
      this.acceptor.setJam(fault === 'jam');
      return c.json({ ok: true, jammed: this.acceptor.jammed });
    });
    app.post('/api/coin-acceptor/unplug', async (c) => {
      await this.port.unplug();
      return c.json({ ok: true, plugged: false });
    });
    app.post('/api/coin-acceptor/plug', async (c) => {
      await this.port.plug();
      return c.json({ ok: true, plugged: true });
    });
  }

  state(): Record<string, unknown> {
    return {
      plugged: this.#port?.plugged ?? false,
      accepting: this.#acceptor?.accepting ?? false,
      jammed: this.#acceptor?.jammed ?? false,
      acceptedYen: this.#acceptor?.acceptedYen ?? 0,
      /** Coin values the entry takes now (channels not inhibited). */
      enabledValues: this.#acceptor?.enabledValues ?? [],
    };
  }

  async stop(): Promise<void> {
    await this.#port?.unplug();
  }
}

/** Coins each simulated hopper starts with. */
export const SIM_HOPPER_STOCK = { 100: 50, 50: 50, 10: 200 } as const;

/**
 * The change hoppers (100, 50 and 10 yen) on one virtual serial port, multi-drop at ccTalk addresses 5, 4
 * and 3 (`hopper` in the `npm run sim` JSON line). `hopper` is the 10-yen one (the only one before).
 */
export class HopperDevice implements SimDevice {
  readonly id = 'hopper';
  #bank: SimHopperBank | undefined;
  #port: CcTalkPort | undefined;

  constructor(
    private readonly options: {
      /** Coins in the 10-yen hopper. */
      coins?: number;
      /** Coins in the 50- and 100-yen hoppers. */
      coins50?: number;
      coins100?: number;
      coinMs?: number;
    } = {},
  ) {}

  get bank(): SimHopperBank {
    if (!this.#bank) throw new SimApiError('SIM_NOT_STARTED', 'hopper not started', 503);
    return this.#bank;
  }

  /** The 10-yen hopper. */
  get hopper(): SimHopper {
    return this.byYen(10);
  }

  byYen(yen: number): SimHopper {
    const h = this.bank.byYen(yen);
    if (!h) throw new SimApiError('SIM_BAD_REQUEST', 'no hopper for that coin', 400);
    return h;
  }

  get port(): CcTalkPort {
    if (!this.#port) throw new SimApiError('SIM_NOT_STARTED', 'hopper not started', 503);
    return this.#port;
  }

  async start(ctx: SimContext): Promise<Record<string, string>> {
    const ms = this.options.coinMs ?? 20;
    const o = this.options;
    this.#bank = new SimHopperBank([
      new SimHopper(ctx.events, o.coins100 ?? SIM_HOPPER_STOCK[100], ms, {
        yen: 100,
        address: ADDRESS.hopper100,
      }),
      new SimHopper(ctx.events, o.coins50 ?? SIM_HOPPER_STOCK[50], ms, {
        yen: 50,
        address: ADDRESS.hopper50,
      }),
      new SimHopper(ctx.events, o.coins ?? SIM_HOPPER_STOCK[10], ms, { yen: 10, address: ADDRESS.hopper }),
    ]);
    this.#port = new CcTalkPort(ctx.portsDir, 'hopper', this.#bank);
    await this.#port.plug();
    return { hopper: this.#port.pair.hostPath };
  }

  routes(app: Hono): void {
    app.post('/api/hopper', async (c) => {
      const body = await parseBody(c, HopperBody);
      const h = this.byYen(body.yen ?? 10);
      if (body.coins !== undefined) h.coins = body.coins;
      if (body.fault === 'empty') h.coins = 0;
      if (body.fault === 'jam') h.setJam(true);
      if (body.fault === 'clear') h.setJam(false);
      return c.json({ ok: true, yen: h.coin.yen, coins: h.coins, jammed: h.jammed });
    });
    app.post('/api/hopper/unplug', async (c) => {
      await this.port.unplug();
      return c.json({ ok: true, plugged: false });
    });
    app.post('/api/hopper/plug', async (c) => {
      await this.port.plug();
      return c.json({ ok: true, plugged: true });
    });
  }

  state(): Record<string, unknown> {
    const ten = this.#bank?.byYen(10);
    return {
      plugged: this.#port?.plugged ?? false,
      coins: ten?.coins ?? 0,
      jammed: ten?.jammed ?? false,
      paidCoins: ten?.paidTotal ?? 0,
      hoppers: (this.#bank?.hoppers ?? []).map((h) => ({
        yen: h.coin.yen,
        address: h.address,
        coins: h.coins,
        low: h.coins <= h.lowLevel,
        jammed: h.jammed,
        paidCoins: h.paidTotal,
      })),
    };
  }

  async stop(): Promise<void> {
    this.#bank?.stop();
    await this.#port?.unplug();
  }
}
