import type { Logger } from '../../common/log.js';
import type { Control } from '../control.js';
import type { Ids } from '../ids.js';
import type { KioskConnection } from './connection.js';

const ANNOUNCE_EVERY_MS = 250;
const ANNOUNCE_CHUNK = 150;

/**
 * One session per kiosk identity. A second session replaces the first (the old one is told
 * RELAY_SESSION_REPLACED and closed) and raises a clone-suspected alert. New sessions are announced to
 * the other relay processes in batches, so a kiosk that moved to another process is dropped here.
 */
export class SessionTable {
  readonly #byKiosk = new Map<string, KioskConnection>();
  readonly #control: Control;
  readonly #ids: Ids;
  readonly #log: Logger;
  readonly #processId: string;
  #toAnnounce: Array<{ id: string; at: number }> = [];
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(control: Control, ids: Ids, log: Logger, processId: string) {
    this.#control = control;
    this.#ids = ids;
    this.#log = log;
    this.#processId = processId;
    this.#timer = setInterval(() => void this.#announce(), ANNOUNCE_EVERY_MS);
    this.#timer.unref();
    this.#unsubscribe = control.onSessions((ev) => {
      if (ev.process === this.#processId) return;
      for (const id of ev.kioskIds) {
        const c = this.#byKiosk.get(id);
        if (c !== undefined && c.establishedAt < ev.at) this.#replace(c, undefined);
      }
    });
  }

  get size(): number {
    return this.#byKiosk.size;
  }

  get(kioskId: string): KioskConnection | undefined {
    return this.#byKiosk.get(kioskId);
  }

  all(): IterableIterator<KioskConnection> {
    return this.#byKiosk.values();
  }

  register(conn: KioskConnection): void {
    const old = this.#byKiosk.get(conn.kioskId);
    if (old !== undefined && old !== conn) conn.rates = old.rates; // reconnecting does not refill the buckets
    this.#byKiosk.set(conn.kioskId, conn);
    if (old !== undefined && old !== conn) this.#replace(old, conn.source);
    this.#toAnnounce.push({ id: conn.kioskId, at: conn.establishedAt });
  }

  remove(conn: KioskConnection): void {
    if (this.#byKiosk.get(conn.kioskId) === conn) this.#byKiosk.delete(conn.kioskId);
  }

  #replace(old: KioskConnection, newSource: string | undefined): void {
    if (this.#byKiosk.get(old.kioskId) === old) this.#byKiosk.delete(old.kioskId);
    this.#ids.clone(old.kioskId, old.source, newSource);
    old.send({ v: 1, type: 'notice', code: 'RELAY_SESSION_REPLACED' });
    old.close(4409, 'RELAY_SESSION_REPLACED');
  }

  async #announce(): Promise<void> {
    if (this.#toAnnounce.length === 0) return;
    const items = this.#toAnnounce;
    this.#toAnnounce = [];
    try {
      for (let i = 0; i < items.length; i += ANNOUNCE_CHUNK) {
        const chunk = items.slice(i, i + ANNOUNCE_CHUNK);
        // The earliest establishment in the batch: a local session older than that is surely superseded.
        const at = Math.min(...chunk.map((c) => c.at));
        await this.#control.announceSessions(
          this.#processId,
          at,
          chunk.map((c) => c.id),
        );
      }
    } catch (err) {
      this.#log.warn('sessions.announce_failed', { error: err instanceof Error ? err.message : 'error' });
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
  }
}
