import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export type CertificateStatus = 'good' | 'revoked' | 'unknown';

/**
 * Certificate validity from the 公的個人認証サービスセンター's CRL (the J-LIS stand-in's `crl.der`): fetched
 * through `load`, accepted only when signed by the 利用者証明用 CA, issued by it, and current (thisUpdate not in
 * the future, nextUpdate not passed). Re-fetched when the cached copy is older than `refreshMs` (30 s), so a
 * card revoked at J-LIS is refused within `refreshMs` plus the time J-LIS takes to publish (immediate in the
 * stand-in): well within a minute. When no current CRL can be had, every status is `unknown` (VRS refuses).
 */
export class CrlValidity {
  readonly #ca: x509.X509Certificate;
  readonly #load: () => Promise<Uint8Array>;
  readonly #refreshMs: number;
  readonly #now: () => number;
  #cached: { at: number; crl: x509.X509Crl | undefined } | undefined;
  #loading: Promise<x509.X509Crl | undefined> | undefined;

  constructor(options: {
    caCertificate: Uint8Array;
    load: () => Promise<Uint8Array>;
    refreshMs?: number;
    now?: () => number;
  }) {
    this.#ca = new x509.X509Certificate(Buffer.from(options.caCertificate));
    this.#load = options.load;
    this.#refreshMs = options.refreshMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** Drops the cached CRL (the next status check fetches it again). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async status(serialHex: string): Promise<CertificateStatus> {
    const crl = await this.#current();
    if (crl === undefined) return 'unknown';
    const now = this.#now();
    if (crl.thisUpdate.getTime() > now + 60_000) return 'unknown';
    if (crl.nextUpdate === undefined || crl.nextUpdate.getTime() <= now) return 'unknown';
    const wanted = serialHex.toLowerCase().replace(/^0+/, '');
    const revoked = crl.entries.some((e) => e.serialNumber.toLowerCase().replace(/^0+/, '') === wanted);
    return revoked ? 'revoked' : 'good';
  }

  async #current(): Promise<x509.X509Crl | undefined> {
    const now = this.#now();
    if (this.#cached !== undefined && now - this.#cached.at < this.#refreshMs && this.#cached.crl)
      return this.#cached.crl;
    this.#loading ??= this.#fetch().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #fetch(): Promise<x509.X509Crl | undefined> {
    let crl: x509.X509Crl | undefined;
    try {
      const c = new x509.X509Crl(Buffer.from(await this.#load()));
      if (c.issuer === this.#ca.subject && (await c.verify({ publicKey: this.#ca.publicKey }))) crl = c;
    } catch {
      crl = undefined;
    }
    this.#cached = { at: this.#now(), crl };
    return crl;
  }
}
