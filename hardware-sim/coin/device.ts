import type { Hono } from 'hono';
import { z } from 'zod';
import { SimApiError, type SimContext, type SimDevice } from '../core/device.js';
import { parseBody } from '../panel/parse-body.js';
import { CcTalkPort } from './serial-port.js';
import { SimCoinAcceptor } from './sim-acceptor.js';
import { SimHopper } from './sim-hopper.js';

const CoinBody = z.object({ yen: z.number().int().min(1).max(10_000) });
const AcceptorFaultBody = z.object({ fault: z.enum(['jam', 'clear']) });
const HopperBody = z
  .object({
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
    };
  }

  async stop(): Promise<void> {
    await this.#port?.unplug();
  }
}

/** The 10-yen change hopper on its virtual serial port (`hopper` in the `npm run sim` JSON line). */
export class HopperDevice implements SimDevice {
  readonly id = 'hopper';
  #hopper: SimHopper | undefined;
  #port: CcTalkPort | undefined;

  constructor(private readonly options: { coins?: number; coinMs?: number } = {}) {}

  get hopper(): SimHopper {
    if (!this.#hopper) throw new SimApiError('SIM_NOT_STARTED', 'hopper not started', 503);
    return this.#hopper;
  }

  get port(): CcTalkPort {
    if (!this.#port) throw new SimApiError('SIM_NOT_STARTED', 'hopper not started', 503);
    return this.#port;
  }

  async start(ctx: SimContext): Promise<Record<string, string>> {
    this.#hopper = new SimHopper(ctx.events, this.options.coins ?? 200, this.options.coinMs ?? 20);
    this.#port = new CcTalkPort(ctx.portsDir, 'hopper', this.#hopper);
    await this.#port.plug();
    return { hopper: this.#port.pair.hostPath };
  }

  routes(app: Hono): void {
    app.post('/api/hopper', async (c) => {
      const body = await parseBody(c, HopperBody);
      const h = this.hopper;
      if (body.coins !== undefined) h.coins = body.coins;
      if (body.fault === 'empty') h.coins = 0;
      if (body.fault === 'jam') h.setJam(true);
      if (body.fault === 'clear') h.setJam(false);
      return c.json({ ok: true, coins: h.coins, jammed: h.jammed });
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
    return {
      plugged: this.#port?.plugged ?? false,
      coins: this.#hopper?.coins ?? 0,
      jammed: this.#hopper?.jammed ?? false,
      paidCoins: this.#hopper?.paidTotal ?? 0,
    };
  }

  async stop(): Promise<void> {
    this.#hopper?.stop();
    await this.#port?.unplug();
  }
}
