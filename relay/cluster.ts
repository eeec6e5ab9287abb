import { z } from 'zod';
import type { Db } from '../common/db.js';
import { Alert } from './store/alerts.js';

/** The NOTIFY channel the relay processes sharing one database use to follow each other's changes. */
export const CLUSTER_CHANNEL = 'relay_cluster';

export const ClusterEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('kiosk'), kioskId: z.string(), status: z.enum(['active', 'revoked']) }),
  z.object({
    type: z.literal('ban'),
    scope: z.enum(['source', 'identity']),
    subject: z.string(),
    until: z.number().nullable(),
  }),
  z.object({ type: z.literal('stop'), scope: z.string(), stopped: z.boolean() }),
  z.object({ type: z.literal('alert'), alert: Alert }),
  /** Kiosks whose session or device health changed (dashboards refresh); `cleared`: device alerts that cleared. */
  z.object({
    type: z.literal('fleet'),
    kioskIds: z.array(z.string()).max(50),
    count: z.number().int(),
    cleared: z.array(z.number().int()).max(200).optional(),
  }),
  /** Sessions just established on `process`: any other process holding one of these kiosks drops it. */
  z.object({
    type: z.literal('sessions'),
    process: z.string(),
    at: z.number(),
    kioskIds: z.array(z.string()).max(200),
  }),
]);
export type ClusterEvent = z.infer<typeof ClusterEvent>;

/**
 * Publishes changes to every relay process sharing the database (this one included: handlers are
 * idempotent, so the local change may be applied twice). A payload that does not parse is ignored.
 */
export class Cluster {
  readonly #db: Db;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(db: Db) {
    this.#db = db;
  }

  async start(onEvent: (ev: ClusterEvent) => void): Promise<void> {
    this.#unlisten = await this.#db.listen(CLUSTER_CHANNEL, (payload) => {
      let raw: unknown;
      try {
        raw = JSON.parse(payload);
      } catch {
        return;
      }
      const parsed = ClusterEvent.safeParse(raw);
      if (parsed.success) onEvent(parsed.data);
    });
  }

  async publish(ev: ClusterEvent): Promise<void> {
    await this.#db.notify(CLUSTER_CHANNEL, JSON.stringify(ev));
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    this.#unlisten = undefined;
  }
}
