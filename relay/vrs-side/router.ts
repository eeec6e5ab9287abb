import type { VrsLink } from './link.js';

/**
 * The routing table: municipality code → VRS endpoints. Codes come from the configuration or from each
 * endpoint's `vrs.municipalities.response` (codes only: every municipality of Japan's names and readings are
 * public data in `protocol/municipalities`, so the list of 1,741 fits one frame).
 */
export class Router {
  readonly links: readonly VrsLink[];

  constructor(links: readonly VrsLink[]) {
    this.links = links;
  }

  learn(link: VrsLink, list: readonly string[]): void {
    const configured = link.config.municipalities;
    for (const code of list) {
      if (configured !== undefined && !configured.includes(code)) continue;
      link.municipalities.add(code);
    }
  }

  /** Whether any endpoint serves the code (up or not). */
  knows(municipality: string): boolean {
    return this.links.some((l) => l.municipalities.has(municipality));
  }

  /**
   * An endpoint for the municipality that is up and whose breaker lets a request through, preferring one
   * not tried yet for this request; undefined when there is none.
   */
  pick(municipality: string, tried: ReadonlySet<VrsLink>): VrsLink | undefined {
    const candidates = this.links.filter((l) => l.municipalities.has(municipality) && l.ready);
    for (const l of candidates) if (!tried.has(l) && l.breaker.allow()) return l;
    for (const l of candidates) if (tried.has(l) && l.breaker.allow()) return l;
    return undefined;
  }

  /** The municipality codes kiosks may choose from, sorted. */
  list(): string[] {
    const all = new Set<string>();
    for (const l of this.links) for (const c of l.municipalities) all.add(c);
    return [...all].sort();
  }
}
