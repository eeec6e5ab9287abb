import type { Socket } from 'node:net';
import type WebSocket from 'ws';

const corked = new WeakSet<Socket>();

/**
 * `ws.send`, with the socket corked until the end of this tick: frames sent to the same peer in one turn
 * (many requests on the one VRS link; several answers to one kiosk) leave in one `writev` instead of a
 * system call each. Relies on ws's `_socket` (unchanged since ws 1); without it, a plain `send`.
 */
export function sendCorked(ws: WebSocket, data: Uint8Array): void {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (socket !== undefined && !corked.has(socket) && typeof socket.cork === 'function') {
    corked.add(socket);
    socket.cork();
    process.nextTick(() => {
      corked.delete(socket);
      socket.uncork();
    });
  }
  ws.send(data);
}
