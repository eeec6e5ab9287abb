/** The simulators' live event log, shown on the control panel and streamed to testers. */
export interface SimEvent {
  seq: number;
  t: string;
  device: string;
  event: string;
  /** Short, non-personal detail (a resident id is fine; never a PIN, name or number). */
  detail?: Record<string, string | number | boolean>;
}

export class SimEventLog {
  #seq = 0;
  #recent: SimEvent[] = [];
  #listeners = new Set<(e: SimEvent) => void>();
  constructor(private readonly keep = 500) {}

  emit(device: string, event: string, detail?: SimEvent['detail']): SimEvent {
    const e: SimEvent = {
      seq: ++this.#seq,
      t: new Date().toISOString(),
      device,
      event,
      ...(detail ? { detail } : {}),
    };
    this.#recent.push(e);
    if (this.#recent.length > this.keep) this.#recent.shift();
    for (const l of this.#listeners) l(e);
    return e;
  }

  recent(): readonly SimEvent[] {
    return this.#recent;
  }

  subscribe(listener: (e: SimEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
