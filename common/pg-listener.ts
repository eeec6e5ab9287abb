import pg from 'pg';

/** What a subscriber hears about its subscription's connection (see `Db.listen`). */
export interface ListenEvents {
  /**
   * Notifications may be lost from now on: the listening connection failed (or was restarted). The
   * subscription re-establishes itself; `onResume` follows when it has.
   */
  onGap?(reason: string): void;
  /**
   * LISTEN is in force again after a gap: notifications sent from now on arrive. Anything sent during the
   * gap is lost for good, so the subscriber must read the state it follows from the tables again.
   */
  onResume?(): void;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

/**
 * The one connection a PostgreSQL `Db` listens on, supervised: any error or end of it is a gap (every
 * subscriber hears `onGap`), then it reconnects with backoff (0.1 → 2 s), re-issues every `LISTEN`, and
 * tells every subscriber `onResume`. node-postgres does neither by itself: a client that lost its server
 * emits `error` once and stays dead.
 */
export class PgListener {
  readonly #config: pg.ClientConfig;
  readonly #onError: (err: Error) => void;
  readonly #handlers = new Map<string, Set<(payload: string) => void>>();
  readonly #events = new Set<ListenEvents>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #retryMs = FIRST_RETRY_MS;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(config: pg.ClientConfig, onError: (err: Error) => void) {
    this.#config = config;
    this.#onError = onError;
  }

  /** Subscribes; the first call connects (and throws when it cannot). */
  async listen(
    channel: string,
    onPayload: (payload: string) => void,
    events: ListenEvents | undefined,
  ): Promise<() => Promise<void>> {
    let set = this.#handlers.get(channel);
    const fresh = set === undefined;
    if (set === undefined) this.#handlers.set(channel, (set = new Set()));
    set.add(onPayload);
    if (events !== undefined) this.#events.add(events);
    try {
      if (this.#client === undefined && this.#timer === undefined) {
        this.#connecting ??= this.#connect().finally(() => (this.#connecting = undefined));
        await this.#connecting;
      } else if (fresh && this.#client !== undefined) {
        await this.#client.query(`LISTEN ${channel}`);
      }
    } catch (err) {
      set.delete(onPayload);
      if (events !== undefined) this.#events.delete(events);
      throw err;
    }
    return async () => {
      set.delete(onPayload);
      if (events !== undefined) this.#events.delete(events);
    };
  }

  /** Drops the connection and reconnects (a subscriber that stopped hearing its own notifications). */
  restart(reason: string): void {
    if (this.#closed || this.#client === undefined) return;
    this.#lost(this.#client, reason);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const c = this.#client;
    this.#client = undefined;
    await c?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const c = new pg.Client({ ...this.#config, keepAlive: true });
    // Until it is ours, an error only fails the connect below.
    c.on('error', (err) => {
      this.#onError(err);
      this.#lost(c, err.message);
    });
    c.on('end', () => this.#lost(c, 'connection ended'));
    try {
      await c.connect();
      for (const channel of this.#handlers.keys()) await c.query(`LISTEN ${channel}`);
    } catch (err) {
      c.removeAllListeners('end');
      c.on('error', () => undefined);
      await c.end().catch(() => undefined);
      throw err;
    }
    if (this.#closed) {
      await c.end().catch(() => undefined);
      return;
    }
    c.on('notification', (msg) => {
      const set = this.#handlers.get(msg.channel);
      if (set !== undefined) for (const h of set) h(msg.payload ?? '');
    });
    this.#client = c;
    this.#retryMs = FIRST_RETRY_MS;
  }

  #lost(c: pg.Client, reason: string): void {
    if (this.#client !== c || this.#closed) return;
    this.#client = undefined;
    c.removeAllListeners('notification');
    c.removeAllListeners('end');
    c.on('error', () => undefined);
    void c.end().catch(() => undefined);
    for (const e of this.#events) e.onGap?.(reason);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().then(
        () => {
          if (this.#closed) return;
          for (const e of this.#events) e.onResume?.();
        },
        (err: unknown) => {
          this.#onError(err instanceof Error ? err : new Error(String(err)));
          this.#schedule();
        },
      );
    }, wait);
    this.#timer.unref();
  }
}
