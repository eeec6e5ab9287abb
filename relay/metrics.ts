/**
 * Prometheus text-format metrics (exposition format 0.0.4). Labels carry codes, kinds and endpoint
 * names only — never a kiosk id, a request id or anything a resident typed.
 */
type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const LABEL_VALUE = /^[A-Za-z0-9_.:/-]{0,100}$/;

function labelKey(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts: string[] = [];
  for (const k of Object.keys(labels).sort()) {
    const v = labels[k] ?? '';
    // Defence in depth: anything but a short identifier-like value is replaced, so no free text leaks.
    parts.push(`${k}="${LABEL_VALUE.test(v) ? v : 'other'}"`);
  }
  return parts.join(',');
}

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  observe(v: number): void {
    for (let i = 0; i < LATENCY_BUCKETS.length; i++)
      if (v <= (LATENCY_BUCKETS[i] as number)) this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

export class Metrics {
  readonly #families = new Map<string, Family>();
  readonly #values = new Map<string, Map<string, number>>();
  readonly #gauges = new Map<string, () => number | Array<[Labels, number]>>();
  readonly #histograms = new Map<string, Map<string, Histogram>>();
  readonly #counterFns = new Map<string, () => number>();

  counter(name: string, help: string): void {
    this.#families.set(name, { help, type: 'counter' });
    this.#values.set(name, new Map());
  }

  /** A gauge read when metrics are rendered. */
  gauge(name: string, help: string, read: () => number | Array<[Labels, number]>): void {
    this.#families.set(name, { help, type: 'gauge' });
    this.#gauges.set(name, read);
  }

  /** A counter read when metrics are rendered (its owner keeps the count). */
  counterFn(name: string, help: string, read: () => number): void {
    this.#families.set(name, { help, type: 'counter' });
    this.#counterFns.set(name, read);
  }

  histogram(name: string, help: string): void {
    this.#families.set(name, { help, type: 'histogram' });
    this.#histograms.set(name, new Map());
  }

  inc(name: string, labels?: Labels, by = 1): void {
    const m = this.#values.get(name);
    if (m === undefined) throw new TypeError(`name: unknown counter ${name}`);
    const k = labelKey(labels);
    m.set(k, (m.get(k) ?? 0) + by);
  }

  observe(name: string, seconds: number, labels?: Labels): void {
    const m = this.#histograms.get(name);
    if (m === undefined) throw new TypeError(`name: unknown histogram ${name}`);
    const k = labelKey(labels);
    let h = m.get(k);
    if (h === undefined) {
      h = new Histogram();
      m.set(k, h);
    }
    h.observe(seconds);
  }

  /** Reads one counter value (tests, status page). */
  value(name: string, labels?: Labels): number {
    return this.#values.get(name)?.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const out: string[] = [];
    for (const [name, fam] of this.#families) {
      out.push(`# HELP ${name} ${fam.help}`, `# TYPE ${name} ${fam.type}`);
      const fn = this.#counterFns.get(name);
      if (fn !== undefined) {
        out.push(`${name} ${fn()}`);
      } else if (fam.type === 'counter') {
        for (const [k, v] of this.#values.get(name) ?? []) out.push(`${name}${k ? `{${k}}` : ''} ${v}`);
      } else if (fam.type === 'gauge') {
        const read = this.#gauges.get(name);
        const v = read?.() ?? 0;
        if (typeof v === 'number') out.push(`${name} ${v}`);
        else for (const [labels, n] of v) out.push(`${name}{${labelKey(labels)}} ${n}`);
      } else {
        for (const [k, h] of this.#histograms.get(name) ?? []) {
          const pre = k ? `${k},` : '';
          LATENCY_BUCKETS.forEach((b, i) => out.push(`${name}_bucket{${pre}le="${b}"} ${h.counts[i]}`));
          out.push(`${name}_bucket{${pre}le="+Inf"} ${h.count}`);
          out.push(
            `${name}_sum${k ? `{${k}}` : ''} ${h.sum}`,
            `${name}_count${k ? `{${k}}` : ''} ${h.count}`,
          );
        }
      }
    }
    return out.join('\n') + '\n';
  }
}

/** The relay's metric families. */
export function relayMetrics(): Metrics {
  const m = new Metrics();
  m.counter('relay_handshakes_total', 'Kiosk channel handshakes by result (ok or error code).');
  m.counter('relay_requests_total', 'Issue requests from kiosks by result (answered or error code).');
  m.counter('relay_errors_total', 'Errors by code.');
  m.counter('relay_alerts_total', 'Alerts raised by kind.');
  m.counter(
    'relay_vrs_late_answers_total',
    'VRS answers dropped because their request was no longer pending.',
  );
  m.counter(
    'relay_vrs_retries_total',
    'Requests retried towards VRS (safe: VRS deduplicates by request id).',
  );
  m.counter('relay_enrollments_total', 'Enrollment attempts by result.');
  m.counter('relay_rate_limited_total', 'Kiosk messages refused over their rate, by message type.');
  m.counter('relay_outcomes_total', 'Kiosk outcome reports: accepted, or unsolicited (refused, a strike).');
  m.counter(
    'relay_frames_refused_total',
    'Kiosk frames refused by the WebSocket layer (too large, bad framing).',
  );
  m.counter(
    'relay_connections_dropped_total',
    'Kiosk-listener connections refused at accept or closed before their handshake finished, by reason.',
  );
  m.histogram('relay_request_duration_seconds', 'Time from a kiosk request to its answer leaving the relay.');
  return m;
}
