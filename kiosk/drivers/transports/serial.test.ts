import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualSerialPair } from '../../../hardware-sim/core/pty.js';
import { SerialPortTransport } from './serial.js';

describe('SerialPortTransport over a socat pty pair', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serial-'));
  const pair = new VirtualSerialPair(dir, 'line');
  beforeAll(() => pair.plug());
  afterAll(async () => {
    await pair.unplug();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries bytes both ways', async () => {
    const host = new SerialPortTransport({ path: pair.hostPath, baudRate: 115200 });
    const dev = new SerialPortTransport({ path: pair.devicePath, baudRate: 115200 });
    await host.open();
    await dev.open();
    const got: number[] = [];
    const done = new Promise<void>((resolve) =>
      dev.onData((c) => {
        got.push(...c);
        if (got.length >= 3) resolve();
      }),
    );
    await host.write(new Uint8Array([0x00, 0xff, 0x55]));
    await done;
    expect(got).toEqual([0x00, 0xff, 0x55]);
    await host.close();
    await dev.close();
  });

  it('reports a pulled cable as DEVICE_DISCONNECTED and reopens after replug', async () => {
    const host = new SerialPortTransport({ path: pair.hostPath, baudRate: 115200 });
    await host.open();
    const closed = new Promise<Error | undefined>((resolve) => host.onClose(resolve));
    await pair.unplug();
    const err = (await closed) as (Error & { code?: string }) | undefined;
    expect(err?.code).toBe('DEVICE_DISCONNECTED');
    await expect(host.open()).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' });
    await pair.plug();
    await host.open();
    expect(host.isOpen).toBe(true);
    await host.close();
  });

  it('refuses bad options', () => {
    expect(() => new SerialPortTransport({ path: '', baudRate: 9600 })).toThrow(TypeError);
    expect(() => new SerialPortTransport({ path: '/dev/x', baudRate: 0 })).toThrow(TypeError);
  });
});
