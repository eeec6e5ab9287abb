import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimKeypad } from '../../../hardware-sim/pinpad/sim-keypad.js';
import { startPinPadBridge, type PinPadBridge } from '../../../hardware-sim/pinpad/bridge.js';
import { until } from '../../../hardware-sim/testing/wait.js';
import { LoopbackHidTransport } from '../transports/hid-loopback.js';
import { NodeHidTransport } from '../transports/hid.js';
import type { HidTransportFactory } from '../transport.js';
import { PinPad, type PinPadEvent } from './pinpad.js';
import { USAGE } from './boot-report.js';

const REAL = process.env['KIOSK_TEST_PINPAD'];

interface Rig {
  keypad: SimKeypad;
  connect: HidTransportFactory;
  close(): Promise<void>;
}

async function inProcess(): Promise<Rig> {
  const keypad = new SimKeypad();
  return { keypad, connect: () => keypad.createTransport(), close: async () => undefined };
}

async function overLoopback(): Promise<Rig> {
  const keypad = new SimKeypad();
  const bridge: PinPadBridge = await startPinPadBridge(keypad);
  return { keypad, connect: () => new LoopbackHidTransport(bridge.url), close: () => bridge.close() };
}

describe.each([
  ['in-process transport', inProcess],
  ['loopback WebSocket bridge', overLoopback],
])('PinPad against the simulated keypad (%s)', (_name, makeRig) => {
  let rig: Rig;
  let pad: PinPad;
  const events: PinPadEvent[] = [];
  beforeAll(async () => {
    rig = await makeRig();
    pad = new PinPad({ connect: rig.connect, backoff: { initialMs: 20, maxMs: 100 } });
    pad.onEvent((e) => events.push(e));
    await pad.start();
    await until(() => pad.connected);
  });
  afterAll(async () => {
    await pad.stop();
    await rig.close();
  });
  const settle = (n: number) => until(() => events.length >= n);

  it('ignores keys outside a PIN entry, lights Num Lock during one', async () => {
    events.length = 0;
    await rig.keypad.type('12');
    // Reports arrive in order: a key typed once the entry runs comes after the two ignored ones, so the first
    // event counts one digit only if those two were ignored (no waiting for time).
    pad.startEntry();
    await until(() => rig.keypad.leds === 1);
    await rig.keypad.type('C');
    await settle(1);
    expect(events).toEqual([{ type: 'cleared' }]);
    events.length = 0;
    await rig.keypad.type('3');
    await settle(1);
    expect(events).toEqual([{ type: 'digits', count: 1 }]);
    await rig.keypad.type('C');
    await settle(2);
  });

  it('tells only the digit count; Enter with four digits hands the PIN to takePin()', async () => {
    events.length = 0;
    await rig.keypad.type('12345E');
    await settle(5);
    expect(events).toEqual([
      { type: 'digits', count: 1 },
      { type: 'digits', count: 2 },
      { type: 'digits', count: 3 },
      { type: 'digits', count: 4 },
      { type: 'enter', complete: true },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/1234/);
    const pin = pad.takePin()!;
    expect(pad.takePin()).toBeUndefined();
    let ascii = '';
    await pin.use((d) => (ascii = String.fromCharCode(...d)));
    expect(ascii).toBe('1234');
    expect(pin.length).toBe(0);
  });

  it('Backspace clears, Escape cancels, Enter early is incomplete', async () => {
    events.length = 0;
    await rig.keypad.type('98C7E');
    await settle(5);
    expect(events).toEqual([
      { type: 'digits', count: 1 },
      { type: 'digits', count: 2 },
      { type: 'cleared' },
      { type: 'digits', count: 1 },
      { type: 'enter', complete: false },
    ]);
    expect(pad.takePin()).toBeUndefined();
    events.length = 0;
    await rig.keypad.type('X');
    await settle(1);
    expect(events).toEqual([{ type: 'cancel' }]);
  });

  it('counts each key once under rollover (overlapping presses, more than six keys held)', async () => {
    pad.startEntry();
    events.length = 0;
    const k = rig.keypad;
    const digits = [0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f];
    for (const u of digits) k.press(u); // 7th key: ErrorRollOver report
    for (const u of digits) k.release(u);
    await settle(4);
    // Escape as a marker: anything the rollover counted twice would come before it.
    k.press(USAGE.escape);
    k.release(USAGE.escape);
    await settle(5);
    expect(events).toEqual([...[1, 2, 3, 4].map((count) => ({ type: 'digits', count })), { type: 'cancel' }]);
  });

  it('clears a half-typed PIN when unplugged and reconnects when the keypad comes back', async () => {
    pad.startEntry();
    events.length = 0;
    await rig.keypad.type('55');
    await settle(2);
    rig.keypad.unplug();
    await until(() => !pad.connected);
    await settle(3);
    expect(events[2]).toEqual({ type: 'cleared' });
    rig.keypad.plug();
    await until(() => pad.connected, 5000);
    await until(() => rig.keypad.leds === 1);
    events.length = 0;
    await rig.keypad.type('1');
    await settle(1);
    expect(events).toEqual([{ type: 'digits', count: 1 }]);
    pad.endEntry();
  });
});

describe.skipIf(!REAL)(
  `PinPad against a real USB keypad (${REAL ? REAL : 'skipped: set KIOSK_TEST_PINPAD=/dev/hidrawN to run'})`,
  () => {
    it('opens the keypad and sets its Num Lock LED (press keys by hand to see events)', async () => {
      const pad = new PinPad({ connect: () => new NodeHidTransport({ path: REAL! }) });
      await pad.start();
      await until(() => pad.connected, 5000);
      pad.startEntry();
      pad.endEntry();
      await pad.stop();
    });
  },
);
