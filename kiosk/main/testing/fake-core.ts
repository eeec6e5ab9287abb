import type { KioskCore } from '../../host/server.js';
import type { IntentResult } from '../../shared/intents.js';
import type { ViewState } from '../../shared/view.js';

/** A kiosk core that records the intents it gets and lets the test emit views and transaction ends. */
export class RecordingCore implements KioskCore {
  view: ViewState = { screen: 'attract', available: true, seq: 1, idleDeadline: null };
  readonly intents: unknown[] = [];
  private readonly viewListeners = new Set<(v: ViewState) => void>();
  private readonly endListeners = new Set<(e: { txId: number; reason: string }) => void>();

  intent(raw: unknown): IntentResult {
    this.intents.push(raw);
    return { ok: true };
  }
  onView(listener: (v: ViewState) => void): () => void {
    this.viewListeners.add(listener);
    return () => void this.viewListeners.delete(listener);
  }
  onTransactionEnd(listener: (e: { txId: number; reason: string }) => void): () => void {
    this.endListeners.add(listener);
    return () => void this.endListeners.delete(listener);
  }
  showView(v: ViewState): void {
    this.view = v;
    for (const l of this.viewListeners) l(v);
  }
  endTransaction(): void {
    for (const l of this.endListeners) l({ txId: 1, reason: 'done' });
  }
  listenerCount(): number {
    return this.viewListeners.size + this.endListeners.size;
  }
}
