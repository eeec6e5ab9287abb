import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortTransport } from '../transports/serial.js';
import { SimEventLog } from '../../../hardware-sim/core/events.js';
import { NoteValidatorDevice } from '../../../hardware-sim/note/device.js';
import { until } from '../../../hardware-sim/testing/wait.js';
import { NoteValidator, type NoteEvent } from './note-validator.js';

/** A real ID-003 validator's serial port, e.g. /dev/ttyUSB1 (9600 8E1). */
const REAL = process.env['KIOSK_TEST_NOTE'];

interface Target {
  validator: NoteValidator;
  seen: NoteEvent[];
  /** Present on the simulator only: inserting a note needs a hand at a real validator. */
  sim?: NoteValidatorDevice;
  stop(): Promise<void>;
}

async function simTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'note-'));
  const dev = new NoteValidatorDevice();
  const paths = await dev.start({ stateDir: dir, portsDir: join(dir, 'ports'), events: new SimEventLog() });
  const validator = new NoteValidator({
    connect: () => new SerialPortTransport({ path: paths['noteValidator']!, baudRate: 9600, parity: 'even' }),
    pollMs: 20,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  const seen: NoteEvent[] = [];
  validator.onEvent((e) => seen.push(e));
  await validator.start();
  return {
    validator,
    seen,
    sim: dev,
    async stop() {
      await validator.stop();
      await dev.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function realTarget(path: string): Promise<Target> {
  const validator = new NoteValidator({
    connect: () => new SerialPortTransport({ path, baudRate: 9600, parity: 'even' }),
  });
  const seen: NoteEvent[] = [];
  validator.onEvent((e) => seen.push(e));
  await validator.start();
  return { validator, seen, stop: () => validator.stop() };
}

function contract(name: string, make: () => Promise<Target>): void {
  describe(name, () => {
    let t: Target;
    beforeAll(async () => {
      t = await make();
      await until(() => t.validator.connected, 15_000);
    });
    afterAll(async () => t?.stop());

    it('comes up inhibited, with the 1,000-yen note in its currency table', async () => {
      expect(t.validator.denominations).toContain(1000);
      await until(() => t.validator.state === 'disabled');
      if (t.sim) expect(t.sim.validator.insert(1000)).toBe('refused');
    });

    it('enable lets notes in; disable inhibits again', async () => {
      expect(await t.validator.enable(() => true)).toEqual({ ok: true });
      await until(() => t.validator.state === 'idle');
      await t.validator.disable();
      await until(() => t.validator.state === 'disabled');
    });

    it.skipIf(!t_sim())('stacks a note the kiosk takes and credits it exactly once', async () => {
      t.seen.length = 0;
      await t.validator.enable((yen) => yen === 1000);
      await until(() => t.sim!.validator.accepting);
      t.sim!.validator.dropReplies(1); // a lost answer on the way: repeated, never credited twice
      expect(t.sim!.validator.insert(1000)).toBe('taken');
      await until(() => t.seen.some((e) => e.type === 'credit'));
      await until(() => t.validator.state === 'idle');
      expect(t.seen.filter((e) => e.type === 'credit')).toEqual([{ type: 'credit', yen: 1000 }]);
      expect(t.sim!.validator.stackedYen).toBe(1000);
    });

    it.skipIf(!t_sim())(
      'returns a note the kiosk refuses (its change cannot be paid), with no credit',
      async () => {
        t.seen.length = 0;
        expect(t.sim!.validator.insert(5000)).toBe('taken');
        await until(() => t.seen.some((e) => e.type === 'returned'));
        expect(t.seen.filter((e) => e.type === 'credit')).toEqual([]);
        expect(t.seen).toContainEqual({ type: 'escrow', yen: 5000, accepted: false });
        expect(t.sim!.validator.stackedYen).toBe(1000);
      },
    );

    it.skipIf(!t_sim())('reports a note it could not read as rejected, and each fault once', async () => {
      t.seen.length = 0;
      const v = t.sim!.validator;
      v.setFault('return-next', true);
      expect(v.insert(1000)).toBe('rejected');
      await until(() => t.seen.some((e) => e.type === 'rejected'));
      v.setFault('jam', true);
      await until(() => t.validator.state === 'jam');
      expect(t.validator.ready).toBe(false);
      expect(v.insert(1000)).toBe('refused');
      v.setFault('jam', false);
      v.setFault('cash-box-full', true);
      await until(() => t.validator.state === 'cash-box-full');
      v.setFault('cash-box-full', false);
      await until(() => t.validator.state === 'idle');
      expect(t.seen.filter((e) => e.type === 'fault')).toEqual([
        { type: 'fault', code: 'NOTE_JAM' },
        { type: 'fault', code: 'NOTE_CASH_BOX_FULL' },
      ]);
      expect(t.seen.filter((e) => e.type === 'credit')).toEqual([]);
    });

    it.skipIf(!t_sim())('comes back after the cable is pulled and after a power cycle', async () => {
      await t.sim!.unplug();
      await until(() => !t.validator.connected && t.validator.state === 'gone');
      await t.sim!.plug();
      await until(() => t.validator.connected);
      t.seen.length = 0;
      t.sim!.validator.powerCycle();
      await until(() => t.seen.some((e) => e.type === 'state' && e.state === 'initializing'));
      await until(() => t.validator.state === 'idle'); // re-initialised, still enabled
      expect(t.sim!.validator.insert(1000)).toBe('taken');
      await until(() => t.seen.filter((e) => e.type === 'credit').length === 1);
      await t.validator.disable();
    });

    function t_sim(): boolean {
      return name.startsWith('simulated');
    }
  });
}

contract('simulated ID-003 validator (real pty, 9600 8E1)', simTarget);

describe.skipIf(!REAL)(`real ID-003 validator at ${REAL ?? '(KIOSK_TEST_NOTE not set)'}`, () => {
  if (REAL) contract('real validator', () => realTarget(REAL));
  it.skipIf(!!REAL)(
    'is skipped: set KIOSK_TEST_NOTE=/dev/ttyUSB… to run the contract on a real validator',
    () => {},
  );
});
