import type { Hono } from 'hono';
import { z } from 'zod';
import { SimApiError, type SimContext, type SimDevice } from '../core/device.js';
import { parseBody } from '../panel/parse-body.js';
import { startPinPadBridge, type PinPadBridge } from './bridge.js';
import { SimKeypad } from './sim-keypad.js';

const KeysBody = z.object({ keys: z.string().regex(/^[0-9ECX]{1,32}$/, 'keys: 1–32 of 0-9, E, C, X') });

/** The PIN pad: an in-process keypad, reachable from the kiosk process through a loopback bridge. */
export class PinPadDevice implements SimDevice {
  readonly id = 'pinpad';
  #keypad: SimKeypad | undefined;
  #bridge: PinPadBridge | undefined;
  #typing: Promise<void> = Promise.resolve();

  get keypad(): SimKeypad {
    if (!this.#keypad) throw new SimApiError('SIM_NOT_STARTED', 'PIN pad not started', 503);
    return this.#keypad;
  }

  async start(ctx: SimContext): Promise<Record<string, string>> {
    this.#keypad = new SimKeypad(ctx.events);
    this.#bridge = await startPinPadBridge(this.#keypad);
    return { pinpad: this.#bridge.url };
  }

  routes(app: Hono): void {
    app.post('/api/pinpad/keys', async (c) => {
      const { keys } = await parseBody(c, KeysBody);
      if (!this.keypad.plugged) throw new SimApiError('SIM_UNPLUGGED', 'the PIN pad is unplugged', 409);
      // Key sequences from concurrent requests are typed one after the other, never interleaved.
      const typed = this.#typing.then(() => this.keypad.type(keys));
      this.#typing = typed.catch(() => undefined);
      await typed;
      return c.json({ ok: true, count: keys.length });
    });
    app.post('/api/pinpad/unplug', (c) => {
      this.keypad.unplug();
      return c.json({ ok: true, plugged: false });
    });
    app.post('/api/pinpad/plug', (c) => {
      this.keypad.plug();
      return c.json({ ok: true, plugged: true });
    });
  }

  state(): Record<string, unknown> {
    return { plugged: this.#keypad?.plugged ?? false, numLockLed: ((this.#keypad?.leds ?? 0) & 1) === 1 };
  }

  async stop(): Promise<void> {
    await this.#bridge?.close();
    this.#bridge = undefined;
  }
}
