import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualSerialPair } from '../../../hardware-sim/core/pty.js';
import { SerialPort } from 'serialport';
import { SerialPortTransport, keepEveryPollInterest } from './serial.js';

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

/** Bytes 0..255 repeated, then a seeded shuffle, so every value (XON/XOFF, ^C, CR, ESC, 0xFF) is present. */
function allByteValues(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = i < 256 ? i : s >>> 24;
  }
  return out;
}

describe('SerialPortTransport: a large write while the peer answers (CPU under load)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serial-bulk-'));
  const pair = new VirtualSerialPair(dir, 'bulk');
  let burner: ChildProcess | undefined;
  beforeAll(async () => {
    // Load from another process, as on a busy kiosk: the reader falls behind and the pty buffer fills.
    burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    await pair.plug();
  });
  afterAll(async () => {
    burner?.kill('SIGKILL');
    await pair.unplug();
    rmSync(dir, { recursive: true, force: true });
  });

  // The write fills the pty (EAGAIN, waits for writable) while the host also waits for readable; the peer
  // answers during the first three quarters and then stays silent until it has everything, as the printer does with a job's START.
  // bindings-cpp 13's poller dropped the write's interest when the read re-armed, and the write stalled.
  it('delivers 256 KB with every byte value intact, several times, while the peer answers early', async () => {
    const host = new SerialPortTransport({ path: pair.hostPath, baudRate: 115200 });
    const dev = new SerialPortTransport({ path: pair.devicePath, baudRate: 115200 });
    await host.open();
    await dev.open();
    try {
      const data = allByteValues(256 * 1024);
      for (let round = 0; round < 6; round++) {
        const got: Uint8Array[] = [];
        let n = 0;
        const all = new Promise<void>((resolve) => {
          const off = dev.onData((c) => {
            got.push(c.slice());
            n += c.length;
            // Answer every chunk of the first half (each answer races the write's wait for room in the
            // pty), then stay silent until everything has arrived.
            if (n < (data.length * 3) / 4) {
              // Best effort: a late answer may find the port already closed by the test's end.
              dev.write(new Uint8Array([0x40])).catch(() => undefined);
              setTimeout(() => dev.write(new Uint8Array([0x0c])).catch(() => undefined), 2);
            }
            if (n >= data.length) {
              off();
              resolve();
            }
          });
        });
        const replies: number[] = [];
        const offHost = host.onData((c) => replies.push(...c));
        const stalled = new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), 20_000).unref());
        const outcome = await Promise.race([
          Promise.all([host.write(data), all]).then(() => 'done' as const),
          stalled,
        ]);
        offHost();
        expect(outcome, `round ${round}: ${n} of ${data.length} bytes arrived`).toBe('done');
        expect(Buffer.compare(Buffer.concat(got), Buffer.from(data))).toBe(0);
      }
    } finally {
      await host.close();
      await dev.close();
    }
  }, 120_000);
});

describe('keepEveryPollInterest (the bindings-cpp poller keeps a waiting write armed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serial-poll-'));
  const pair = new VirtualSerialPair(dir, 'poll');
  beforeAll(() => pair.plug());
  afterAll(async () => {
    await pair.unplug();
    rmSync(dir, { recursive: true, force: true });
  });

  // Deterministic form of the stall: a write waits for `writable`, then a read re-arms `readable` in the
  // same tick (what happens when the peer answers while the pty is full). Unpatched, `writable` never fires.
  it('still reports writable after a read re-arms readable', async () => {
    const port = new SerialPort({ path: pair.hostPath, baudRate: 115200, autoOpen: false, lock: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    try {
      expect(keepEveryPollInterest(port)).toBe(true);
      const poller = (port as unknown as { port: { poller: NodeJS.EventEmitter } }).port.poller;
      const writable = new Promise<string>((resolve) => poller.once('writable', () => resolve('writable')));
      poller.once('readable', () => undefined);
      const lost = new Promise<string>((resolve) => setTimeout(() => resolve('lost'), 3000).unref());
      expect(await Promise.race([writable, lost])).toBe('writable');
    } finally {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  });
});
