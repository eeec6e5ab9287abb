import type { KioskCore } from '../../../kiosk/host/index.js';
import type { IntentResult } from '../../../kiosk/shared/intents.js';
import type { ScreenView, ViewState } from '../../../kiosk/shared/view.js';

/**
 * A main-process core that shows whatever view a test sets and records the intents it receives: lets a
 * browser test draw every screen (and every state of it) without driving a transaction to it.
 */
export class ViewCore implements KioskCore {
  view: ViewState = { screen: 'attract', available: true, seq: 1, idleDeadline: null };
  readonly intents: unknown[] = [];
  readonly #listeners = new Set<(v: ViewState) => void>();
  readonly #ends = new Set<(e: { txId: number; reason: string }) => void>();

  show(screen: ScreenView, idleDeadline: number | null = null): void {
    this.view = { ...screen, seq: this.view.seq + 1, idleDeadline };
    for (const l of this.#listeners) l(this.view);
  }

  /** Tells the page to reload, as the flow does at the end of a transaction. */
  endTransaction(): void {
    for (const l of this.#ends) l({ txId: 1, reason: 'done' });
  }

  intent(raw: unknown): IntentResult {
    this.intents.push(raw);
    return { ok: true };
  }

  onView(listener: (v: ViewState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onTransactionEnd(listener: (e: { txId: number; reason: string }) => void): () => void {
    this.#ends.add(listener);
    return () => this.#ends.delete(listener);
  }
}
