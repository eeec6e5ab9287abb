import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { sendCorked } from './corked-send.js';

/**
 * `sendCorked` reaches into ws's `_socket` (not public API): these tests fail if a ws release renames it or
 * stops writing through it, instead of the relay silently losing its batching.
 */
let server: WebSocketServer;
let client: WebSocket;
let serverSide: WebSocket;

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await once(client, 'open');
  [serverSide] = (await accepted) as [WebSocket];
});

afterAll(async () => {
  client.terminate();
  await new Promise((r) => server.close(r));
});

describe('sendCorked', () => {
  it('finds ws’s underlying socket on both ends', () => {
    for (const ws of [client, serverSide]) {
      const socket = (ws as unknown as { _socket?: unknown })._socket;
      expect(socket).toBeInstanceOf(Socket);
    }
  });

  it('sends the frames of one tick in one writev, in order', async () => {
    const socket = (serverSide as unknown as { _socket: Socket })._socket;
    const calls: string[] = [];
    const spy = (name: '_write' | '_writev') => {
      const original = socket[name] as (...a: unknown[]) => unknown;
      const patched = (...a: unknown[]) => (calls.push(name), original.apply(socket, a));
      Object.defineProperty(socket, name, { value: patched, configurable: true, writable: true });
      return () =>
        Object.defineProperty(socket, name, { value: original, configurable: true, writable: true });
    };
    const restore = [spy('_write'), spy('_writev')];
    const got: string[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('message', (m: Buffer) => {
        got.push(m.toString());
        if (got.length === 3) resolve();
      }),
    );
    for (const text of ['one', 'two', 'three']) sendCorked(serverSide, new TextEncoder().encode(text));
    await all;
    for (const r of restore) r();
    expect(got).toEqual(['one', 'two', 'three']);
    expect(calls).toEqual(['_writev']);
  });
});
