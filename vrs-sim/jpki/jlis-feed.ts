import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { FixtureResident } from '../seed/fixtures.js';

const Registry = z.object({
  cards: z.record(z.string(), z.object({ resident: z.string(), municipality: z.string() }).passthrough()),
});

/** Where the J-LIS data is: a state folder, and/or each file on its own (a file given wins over the folder's). */
export interface JlisSource {
  jlisStateDir?: string | undefined;
  /** The 利用者証明用 CA certificate, PEM or DER (default `<jlisStateDir>/auth-ca.pem`). */
  caCertificateFile?: string | undefined;
  /** The CRL, DER (default `<jlisStateDir>/crl.der`). */
  crlFile?: string | undefined;
  /** The serial → resident registry, JSON (default `<jlisStateDir>/registry.json`). */
  registryFile?: string | undefined;
}

/** The three J-LIS file paths of a source; throws `TypeError` naming the one that has neither path nor folder. */
export function jlisPaths(src: JlisSource): { caCertificate: string; crl: string; registry: string } {
  const pick = (file: string | undefined, name: string, what: string): string => {
    if (file !== undefined && file !== '') return file;
    if (src.jlisStateDir !== undefined && src.jlisStateDir !== '') return join(src.jlisStateDir, name);
    throw new TypeError(`jpki: the ${what} is needed (its file, or the J-LIS state folder)`);
  };
  return {
    caCertificate: pick(src.caCertificateFile, 'auth-ca.pem', 'CA certificate'),
    crl: pick(src.crlFile, 'crl.der', 'CRL'),
    registry: pick(src.registryFile, 'registry.json', 'serial registry'),
  };
}

/**
 * What VRS takes from the J-LIS stand-in, read as data (VRS does not import J-LIS's code): the 利用者証明用 CA
 * certificate (`auth-ca.pem`, pinned at start), the CRL (`crl.der`, read again on every refresh) and the serial
 * links (`registry.json`: serial → resident label, mapped to the resident's My Number through the fixture
 * residents VRS is seeded with — J-LIS's 住民票コード link in the real service). `source` is the J-LIS state
 * folder, or the files one by one.
 */
export function jlisFeed(source: string | JlisSource, fixtures: readonly FixtureResident[]) {
  const paths = jlisPaths(typeof source === 'string' ? { jlisStateDir: source } : source);
  const caCertificate = new Uint8Array(new X509Certificate(readFileSync(paths.caCertificate)).raw);
  const byId = new Map(fixtures.map((f) => [f.id, f.myNumber]));
  return {
    caCertificate,
    loadCrl: async () => new Uint8Array(await readFile(paths.crl)),
    loadLinks: async () => {
      let text: string;
      try {
        text = await readFile(paths.registry, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; // no card issued yet
        throw err;
      }
      const reg = Registry.parse(JSON.parse(text));
      const out: { serial: string; myNumber: string }[] = [];
      for (const [serial, e] of Object.entries(reg.cards)) {
        const myNumber = byId.get(e.resident);
        if (myNumber !== undefined) out.push({ serial, myNumber });
      }
      return out;
    },
  };
}
