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
    const socket = (serverSide as unknown as { _socket: Socket & Record<string, unknown> })._socket;
    const calls: string[] = [];
    const original = { write: socket['_write'], writev: socket['_writev'] } as Record<
      string,
      (...a: unknown[]) => unknown
    >;
    socket['_write'] = (...a: unknown[]) => (calls.push('write'), original['write']!.apply(socket, a));
    socket['_writev'] = (...a: unknown[]) => (calls.push('writev'), original['writev']!.apply(socket, a));
    const got: string[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('message', (m: Buffer) => {
        got.push(m.toString());
        if (got.length === 3) resolve();
      }),
    );
    for (const text of ['one', 'two', 'three']) sendCorked(serverSide, new TextEncoder().encode(text));
    await all;
    socket['_write'] = original['write'];
    socket['_writev'] = original['writev'];
    expect(got).toEqual(['one', 'two', 'three']);
    expect(calls).toEqual(['writev']);
  });
});
