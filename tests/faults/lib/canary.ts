import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The personal-data scan (the canary approach of tests/e2e/no-data-left.test.ts): the fictional residents'
 * My Number, names and address, in UTF-8, UTF-16 and base64, looked for in every file under a folder and in
 * any text given (the relay's database, dumped as text). Only VRS's store may hold them, encrypted.
 */
const RESIDENTS = JSON.parse(
  readFileSync(join(process.cwd(), 'hardware-sim', 'fixtures', 'residents.json'), 'utf8'),
) as { id: string; myNumber: string; name: string; nameKana: string; nameRomaji: string; address: string }[];

interface Canary {
  label: string;
  bytes: Buffer;
}

function canaries(ids: readonly string[]): Canary[] {
  const out: Canary[] = [];
  for (const r of RESIDENTS.filter((x) => ids.includes(x.id))) {
    const fields = {
      myNumber: r.myNumber,
      name: r.name,
      nameKana: r.nameKana,
      nameRomaji: r.nameRomaji,
      address: r.address,
    };
    for (const [field, value] of Object.entries(fields)) {
      out.push({ label: `${r.id}.${field} utf8`, bytes: Buffer.from(value, 'utf8') });
      out.push({ label: `${r.id}.${field} utf16`, bytes: Buffer.from(value, 'utf16le') });
      out.push({
        label: `${r.id}.${field} base64`,
        bytes: Buffer.from(Buffer.from(value).toString('base64')),
      });
    }
  }
  return out;
}

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

/** Where the residents' data was found: `file: label` for files under `dir`, `label: label` for texts. */
export function scanForResidents(
  residents: readonly string[],
  dir: string,
  texts: Record<string, string> = {},
): string[] {
  const list = canaries(residents);
  const found: string[] = [];
  for (const f of files(dir)) {
    let data: Buffer;
    try {
      if (statSync(f).size > 256 * 1024 * 1024) continue;
      data = readFileSync(f);
    } catch {
      continue; // removed while scanning (a database's temporary file)
    }
    for (const c of list) if (data.includes(c.bytes)) found.push(`${f.slice(dir.length)}: ${c.label}`);
  }
  for (const [label, text] of Object.entries(texts)) {
    const data = Buffer.from(text, 'utf8');
    for (const c of list) if (data.includes(c.bytes)) found.push(`${label}: ${c.label}`);
  }
  return found;
}
