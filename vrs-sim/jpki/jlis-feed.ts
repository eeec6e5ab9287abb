import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { FixtureResident } from '../seed/fixtures.js';

const Registry = z.object({
  cards: z.record(z.string(), z.object({ resident: z.string(), municipality: z.string() }).passthrough()),
});

/**
 * What VRS takes from the J-LIS stand-in, read as data from its state folder (VRS does not import J-LIS's
 * code): the 利用者証明用 CA certificate (`auth-ca.pem`, pinned at start), the CRL (`crl.der`, read again on
 * every refresh) and the serial links (`registry.json`: serial → resident label, mapped to the resident's My
 * Number through the fixture residents VRS is seeded with — J-LIS's 住民票コード link in the real service).
 */
export function jlisFeed(stateDir: string, fixtures: readonly FixtureResident[]) {
  const caCertificate = new Uint8Array(new X509Certificate(readFileSync(join(stateDir, 'auth-ca.pem'))).raw);
  const byId = new Map(fixtures.map((f) => [f.id, f.myNumber]));
  return {
    caCertificate,
    loadCrl: async () => new Uint8Array(await readFile(join(stateDir, 'crl.der'))),
    loadLinks: async () => {
      let text: string;
      try {
        text = await readFile(join(stateDir, 'registry.json'), 'utf8');
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
