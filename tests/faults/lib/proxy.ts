import { EventEmitter } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** A direction through the proxy: client → server (`up`) or server → client (`down`). */
export type Direction = 'up' | 'down';

interface Pair {
  client: Socket;
  server: Socket;
  held: Record<Direction, Buffer[]>;
}

/**
 * A TCP proxy on loopback standing for a network link between two of our processes (the dedicated line
 * between kiosk and relay, or LGWAN between relay and VRS). A fault test uses it to act at a precise point
 * of a transaction without touching the processes' code: `hold(dir)` keeps every byte sent in one direction
 * (the other side sees a silent link), `release(dir)` delivers them, `corrupt(dir)` replaces them with
 * random bytes (a peer answering garbage), `cut()` drops every connection, `retarget(port)` points new
 * connections at a restarted server. Events: `held` (direction, bytes held so far) whenever bytes are held.
 * The bytes are sealed channel frames: the proxy never reads them (it cannot), it counts them.
 */
export class LinkProxy extends EventEmitter {
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  #target: number;
  #hold: Record<Direction, boolean> = { up: false, down: false };
  #corrupt: Record<Direction, boolean> = { up: false, down: false };
  #refuse = false;
  /** Bytes that crossed (or were held) per direction, since the proxy started. */
  readonly bytes: Record<Direction, number> = { up: 0, down: 0 };
  /** Connections accepted since the proxy started. */
  connections = 0;

  private constructor(server: Server, target: number) {
    super();
    this.#server = server;
    this.#target = target;
  }

  static async start(targetPort: number): Promise<LinkProxy> {
    const server = createServer();
    const proxy = new LinkProxy(server, targetPort);
    server.on('connection', (s) => proxy.#accept(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Bytes currently held in `dir`. */
  heldBytes(dir: Direction): number {
    let n = 0;
    for (const p of this.#pairs) for (const b of p.held[dir]) n += b.length;
    return n;
  }

  hold(dir: Direction): void {
    this.#hold[dir] = true;
  }

  /** Delivers what was held in `dir` and lets bytes through again. */
  release(dir: Direction): void {
    this.#hold[dir] = false;
    for (const p of this.#pairs) {
      const out = dir === 'up' ? p.server : p.client;
      for (const b of p.held[dir].splice(0)) if (!out.destroyed) out.write(b);
    }
  }

  /** Bytes in `dir` are replaced by random bytes of the same length from now on. */
  corrupt(dir: Direction, on = true): void {
    this.#corrupt[dir] = on;
  }

  /** New connections are refused (the far side is down) until `refuse(false)`. */
  refuse(on = true): void {
    this.#refuse = on;
  }

  /** Drops every connection at once (held bytes are lost). */
  cut(): void {
    for (const p of [...this.#pairs]) {
      p.client.destroy();
      p.server.destroy();
    }
  }

  retarget(port: number): void {
    this.#target = port;
  }

  /** Resolves once at least `bytes` are held in `dir`. */
  whenHeld(dir: Direction, bytes = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.heldBytes(dir) >= bytes) {
          this.off('held', check);
          resolve();
        }
      };
      this.on('held', check);
      check();
    });
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#refuse) {
      client.destroy();
      return;
    }
    this.connections++;
    const server = connect(this.#target, '127.0.0.1');
    const pair: Pair = { client, server, held: { up: [], down: [] } };
    this.#pairs.add(pair);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
    const pipe = (from: Socket, to: Socket, dir: Direction) =>
      from.on('data', (chunk: Buffer) => {
        this.bytes[dir] += chunk.length;
        const data = this.#corrupt[dir] ? randomLike(chunk) : chunk;
        if (this.#hold[dir]) {
          pair.held[dir].push(data);
          this.emit('held', dir, this.heldBytes(dir));
        } else if (!to.destroyed) to.write(data);
      });
    pipe(client, server, 'up');
    pipe(server, client, 'down');
  }
}

function randomLike(chunk: Buffer): Buffer {
  const out = Buffer.allocUnsafe(chunk.length);
  for (let i = 0; i < out.length; i++) out[i] = (Math.random() * 256) | 0;
  return out;
}
