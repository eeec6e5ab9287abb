/**
 * The link J-LIS gives each municipality running コンビニ交付: the serial of a resident's
 * 利用者証明用電子証明書 → that resident (here: the My Number VRS files the resident's records under). VRS holds
 * the links of every participating municipality in memory (like its opened records, never on disk or in a
 * log) and replaces them whenever the feed is read again.
 */
export class SerialLinks {
  readonly #load: () => Promise<ReadonlyArray<{ serial: string; myNumber: string }>>;
  readonly #refreshMs: number;
  readonly #now: () => number;
  #map = new Map<string, string>();
  #at = -Infinity;
  #loading: Promise<void> | undefined;

  constructor(options: {
    load: () => Promise<ReadonlyArray<{ serial: string; myNumber: string }>>;
    refreshMs?: number;
    now?: () => number;
  }) {
    this.#load = options.load;
    this.#refreshMs = options.refreshMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** The My Number linked to a certificate serial (hex), or undefined. */
  async resolve(serial: string): Promise<string | undefined> {
    const key = serial.toLowerCase().replace(/^0+/, '');
    let hit = this.#map.get(key);
    if (hit === undefined || this.#now() - this.#at >= this.#refreshMs) {
      await this.refresh();
      hit = this.#map.get(key);
    }
    return hit;
  }

  refresh(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        const list = await this.#load();
        this.#map = new Map(list.map((l) => [l.serial.toLowerCase().replace(/^0+/, ''), l.myNumber]));
        this.#at = this.#now();
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }
}
