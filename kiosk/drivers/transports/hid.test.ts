import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { NodeHidTransport, type HidAsyncLike } from './hid.js';
import { LoopbackHidTransport } from './hid-loopback.js';

/** A device object shaped like node-hid's HIDAsync (no HID device exists on this machine). */
class FakeHid extends EventEmitter implements HidAsyncLike {
  written: number[][] = [];
  closed = false;
  async write(values: number[] | Buffer): Promise<number> {
    this.written.push([...values]);
    return values.length;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('NodeHidTransport (node-hid wrapper; exercised with a fake HIDAsync)', () => {
  it('delivers input reports, prepends report id 0 to output reports, closes', async () => {
    const dev = new FakeHid();
    const t = new NodeHidTransport({ vendorId: 0x1234, productId: 0x5678 }, async () => dev);
    await t.open();
    const got: number[][] = [];
    t.onReport((r) => got.push([...r]));
    dev.emit('data', Buffer.from([0, 0, 0x59, 0, 0, 0, 0, 0]));
    expect(got).toEqual([[0, 0, 0x59, 0, 0, 0, 0, 0]]);
    await t.write(new Uint8Array([1]));
    expect(dev.written).toEqual([[0, 1]]);
    await t.close();
    expect(dev.closed).toBe(true);
    await expect(t.write(new Uint8Array([0]))).rejects.toMatchObject({ code: 'DEVICE_DISCONNECTED' });
  });

  it('reports a device error (unplugged) as DEVICE_DISCONNECTED', async () => {
    const dev = new FakeHid();
    const t = new NodeHidTransport({ path: '/dev/hidraw9' }, async () => dev);
    await t.open();
    const closed = new Promise<Error | undefined>((resolve) => t.onClose(resolve));
    dev.emit('error', new Error('could not read from HID device'));
    expect(await closed).toMatchObject({ code: 'DEVICE_DISCONNECTED' });
    expect(t.isOpen).toBe(false);
  });

  it('maps open failures to coded errors and refuses bad options', async () => {
    const t = new NodeHidTransport({ path: '/dev/none' }, async () => {
      throw new Error('cannot open device with path /dev/none');
    });
    await expect(t.open()).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
    expect(() => new NodeHidTransport({} as never)).toThrow(TypeError);
  });

  it('with the real node-hid binding, a missing device is DEVICE_NOT_FOUND', async () => {
    const t = new NodeHidTransport({ vendorId: 0xfffe, productId: 0xfffe });
    await expect(t.open()).rejects.toMatchObject({
      code: expect.stringMatching(/^DEVICE_(NOT_FOUND|OPEN_FAILED)$/),
    });
  });
});

describe('LoopbackHidTransport', () => {
  it('accepts only ws:// loopback URLs and reports an absent bridge as DEVICE_NOT_FOUND', async () => {
    expect(() => new LoopbackHidTransport('ws://example.com/pinpad')).toThrow(TypeError);
    expect(() => new LoopbackHidTransport('not a url')).toThrow(TypeError);
    const t = new LoopbackHidTransport('ws://127.0.0.1:1/pinpad?token=x');
    await expect(t.open()).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
  });
});
