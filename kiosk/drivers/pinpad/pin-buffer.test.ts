import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { PinBuffer } from './pin-buffer.js';

describe('PinBuffer', () => {
  it('holds at most four ASCII digits and never shows them', async () => {
    const pin = new PinBuffer();
    for (const d of [1, 2, 3, 4]) expect(pin.push(d)).toBe(true);
    expect(pin.push(5)).toBe(false);
    expect(pin.length).toBe(4);
    expect(JSON.stringify({ pin })).toBe('{"pin":{"length":4}}');
    expect(inspect(pin)).not.toMatch(/1234|49, 50/);
    expect(String(pin)).toBe('[PinBuffer length=4]');
    let seen: number[] = [];
    let view: Uint8Array | undefined;
    await pin.use((digits) => {
      seen = [...digits];
      view = digits;
    });
    expect(seen).toEqual([0x31, 0x32, 0x33, 0x34]);
    expect([...view!]).toEqual([0, 0, 0, 0]);
    expect(pin.length).toBe(0);
  });

  it('zeroes after use even when the consumer throws, and refuses an incomplete PIN', async () => {
    const pin = new PinBuffer();
    await expect(pin.use(() => 1)).rejects.toMatchObject({ code: 'PINPAD_PIN_INCOMPLETE' });
    [9, 8, 7, 6].forEach((d) => pin.push(d));
    let view: Uint8Array | undefined;
    await expect(
      pin.use((d) => {
        view = d;
        throw new Error('card went away');
      }),
    ).rejects.toThrow('card went away');
    expect([...view!]).toEqual([0, 0, 0, 0]);
    expect(pin.length).toBe(0);
    expect(() => pin.push(10)).toThrow(TypeError);
  });
});
