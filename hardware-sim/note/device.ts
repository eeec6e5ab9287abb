import type { Hono } from 'hono';
import { z } from 'zod';
import { SerialPortTransport } from '../../kiosk/drivers/transports/serial.js';
import { SimApiError, type SimContext, type SimDevice } from '../core/device.js';
import { VirtualSerialPair } from '../core/pty.js';
import { parseBody } from '../panel/parse-body.js';
import { SimNoteValidator } from './sim-validator.js';

const NoteBody = z.object({ yen: z.number().int().min(1).max(100_000) });
const FaultBody = z.object({
  fault: z.enum(['jam', 'cash-box-full', 'return-next', 'clear', 'empty-cash-box', 'power-cycle']),
});

/** The ID-003 note validator on its own virtual serial cable (`noteValidator` in the `npm run sim` line). */
export class NoteValidatorDevice implements SimDevice {
  readonly id = 'note-validator';
  #validator: SimNoteValidator | undefined;
  #pair: VirtualSerialPair | undefined;
  #transport: SerialPortTransport | undefined;

  get validator(): SimNoteValidator {
    if (!this.#validator) throw new SimApiError('SIM_NOT_STARTED', 'note validator not started', 503);
    return this.#validator;
  }

  get plugged(): boolean {
    return this.#pair?.plugged ?? false;
  }

  async start(ctx: SimContext): Promise<Record<string, string>> {
    this.#validator = new SimNoteValidator(ctx.events);
    this.#pair = new VirtualSerialPair(ctx.portsDir, 'note-validator');
    await this.plug();
    return { noteValidator: this.#pair.hostPath };
  }

  async plug(): Promise<void> {
    const pair = this.#pair;
    if (!pair || pair.plugged) return;
    await pair.plug();
    // ID-003 runs at 9600 baud, 8 data bits, even parity, 1 stop bit.
    const t = new SerialPortTransport({ path: pair.devicePath, baudRate: 9600, parity: 'even' });
    await t.open();
    this.#transport = t;
    this.validator.attach(t);
  }

  async unplug(): Promise<void> {
    this.#validator?.detach();
    await this.#transport?.close().catch(() => undefined);
    this.#transport = undefined;
    await this.#pair?.unplug();
  }

  routes(app: Hono): void {
    app.post('/api/notes', async (c) => {
      const { yen } = await parseBody(c, NoteBody);
      return c.json({ ok: true, outcome: this.validator.insert(yen) });
    });
    app.post('/api/note-validator/fault', async (c) => {
      const { fault } = await parseBody(c, FaultBody);
      const v = this.validator;
      if (fault === 'clear') for (const f of v.faults) v.setFault(f, false);
      else if (fault === 'empty-cash-box') v.emptyCashBox();
      else if (fault === 'power-cycle') v.powerCycle();
      else v.setFault(fault, true);
      return c.json({ ok: true, faults: v.faults });
    });
    app.post('/api/note-validator/unplug', async (c) => {
      await this.unplug();
      return c.json({ ok: true, plugged: false });
    });
    app.post('/api/note-validator/plug', async (c) => {
      await this.plug();
      return c.json({ ok: true, plugged: true });
    });
  }

  state(): Record<string, unknown> {
    const v = this.#validator;
    return {
      plugged: this.plugged,
      accepting: v?.accepting ?? false,
      phase: v?.phase ?? 'off',
      faults: v?.faults ?? [],
      stackedNotes: v?.stackedNotes ?? 0,
      stackedYen: v?.stackedYen ?? 0,
      returnedNotes: v?.returnedNotes ?? 0,
    };
  }

  async stop(): Promise<void> {
    await this.unplug();
  }
}
