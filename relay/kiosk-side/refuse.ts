import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

/** Refuses an upgrade with a status and an `x-relay-error` code, and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, code: string): void {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Connection: close\r\nContent-Type: application/json\r\nx-relay-error: ${code}\r\n` +
      `Content-Length: ${JSON.stringify({ ok: false, code }).length}\r\n\r\n${JSON.stringify({ ok: false, code })}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** The peer's address without the IPv4-mapped prefix. */
export function sourceOf(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
