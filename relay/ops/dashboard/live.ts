import type { Metrics } from '../../metrics.js';

/** One second of one relay process, as the Live page draws it. No kiosk or request ids: counts only. */
export interface LiveSample {
  t: number;
  sessions: number;
  connections: number;
  pending: number;
  handshakesOk: number;
  handshakesFailed: number;
  requests: number;
  /** Latency percentiles (ms) over the last 10 s, from the histogram's buckets (upper bounds). */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Errors in this second, by code. */
  errors: Record<string, number>;
}

const sum = (m: Record<string, number> | undefined, pick: (k: string) => boolean): number => {
  let n = 0;
  for (const [k, v] of Object.entries(m ?? {})) if (pick(k)) n += v;
  return n;
};

/** The code in a label key such as `code="RELAY_BUSY"` or `result="ok"`. */
const labelValue = (k: string): string => /="([^"]*)"/.exec(k)?.[1] ?? '';

/** Percentile (0–1) from cumulative bucket counts: the upper bound of the bucket reaching it. */
export function percentile(buckets: number[], counts: number[], total: number, q: number): number | null {
  if (total <= 0) return null;
  const target = q * total;
  for (let i = 0; i < buckets.length; i++)
    if ((counts[i] ?? 0) >= target) return (buckets[i] as number) * 1000;
  return (buckets[buckets.length - 1] as number) * 1000;
}

/**
 * Turns the process's counters into per-second figures, once a second, and keeps the last 10 histogram
 * snapshots for the latency percentiles.
 */
export class LiveSampler {
  readonly #metrics: Metrics;
  readonly #gauges: () => { sessions: number; connections: number; pending: number };
  #prev: ReturnType<Metrics['snapshot']> | undefined;
  readonly #hist: Array<{ counts: number[]; count: number }> = [];
  latest: LiveSample | undefined;

  constructor(metrics: Metrics, gauges: () => { sessions: number; connections: number; pending: number }) {
    this.#metrics = metrics;
    this.#gauges = gauges;
  }

  sample(now = Date.now()): LiveSample {
    const snap = this.#metrics.snapshot();
    const prev = this.#prev ?? snap;
    this.#prev = snap;
    const delta = (name: string, pick: (k: string) => boolean) =>
      sum(snap.counters[name], pick) - sum(prev.counters[name], pick);
    const errors: Record<string, number> = {};
    for (const [k, v] of Object.entries(snap.counters['relay_errors_total'] ?? {})) {
      const d = v - (prev.counters['relay_errors_total']?.[k] ?? 0);
      if (d > 0) errors[labelValue(k) || 'other'] = d;
    }
    const h = snap.histograms['relay_request_duration_seconds'];
    if (h !== undefined) this.#hist.push({ counts: h.counts, count: h.count });
    if (this.#hist.length > 11) this.#hist.shift();
    const first = this.#hist[0];
    const last = this.#hist[this.#hist.length - 1];
    let p50: number | null = null;
    let p95: number | null = null;
    let p99: number | null = null;
    if (h !== undefined && first !== undefined && last !== undefined) {
      const counts = last.counts.map((c, i) => c - (first.counts[i] ?? 0));
      const total = last.count - first.count;
      p50 = percentile(h.buckets, counts, total, 0.5);
      p95 = percentile(h.buckets, counts, total, 0.95);
      p99 = percentile(h.buckets, counts, total, 0.99);
    }
    const g = this.#gauges();
    this.latest = {
      t: now,
      ...g,
      handshakesOk: delta('relay_handshakes_total', (k) => labelValue(k) === 'ok'),
      handshakesFailed: delta('relay_handshakes_total', (k) => labelValue(k) !== 'ok'),
      requests: delta('relay_requests_total', () => true),
      p50,
      p95,
      p99,
      errors,
    };
    return this.latest;
  }
}
