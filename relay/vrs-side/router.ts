import type { Municipality } from '../../protocol/index.js';
import type { VrsLink } from './link.js';

/**
 * The routing table: municipality code → VRS endpoints. Codes come from the configuration or from each
 * endpoint's `vrs.municipalities.response`; names (for the kiosk's list) only from the latter.
 */
export class Router {
  readonly links: readonly VrsLink[];
  readonly #names = new Map<string, Municipality>();

  constructor(links: readonly VrsLink[]) {
    this.links = links;
  }

  learn(link: VrsLink, list: readonly Municipality[]): void {
    const configured = link.config.municipalities;
    for (const m of list) {
      if (configured !== undefined && !configured.includes(m.code)) continue;
      link.municipalities.add(m.code);
      this.#names.set(m.code, m);
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

  /** The municipalities kiosks may choose from, sorted by code. */
  list(): Municipality[] {
    return [...this.#names.values()]
      .filter((m) => this.knows(m.code))
      .sort((a, b) => a.code.localeCompare(b.code));
  }
}
