import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The regression corpus: `tests/fuzz/corpus/<target id>/<name>.json`, each `{ "note": …, "input": … }`.
 * Inputs are plain JSON except bytes, written `{ "$hex": "0a1b…" }`. JSON keeps lone surrogates (`"\ud800"`).
 */
export const CORPUS_DIR = join(import.meta.dirname, '..', 'corpus');

export interface CorpusEntry {
  file: string;
  note: string;
  input: unknown;
}

export function encodeInput(input: unknown): string {
  return JSON.stringify(
    input,
    (_k, v: unknown) => (v instanceof Uint8Array ? { $hex: Buffer.from(v).toString('hex') } : v),
    2,
  );
}

export function decodeInput(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) =>
    v !== null &&
    typeof v === 'object' &&
    '$hex' in v &&
    typeof v.$hex === 'string' &&
    Object.keys(v).length === 1
      ? new Uint8Array(Buffer.from(v.$hex, 'hex'))
      : v,
  );
}

/** Every corpus entry of one target (none when its folder does not exist). */
export function corpusOf(targetId: string): CorpusEntry[] {
  const dir = join(CORPUS_DIR, targetId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { note?: unknown; input?: unknown };
      const text = JSON.stringify(raw.input);
      return { file: join(targetId, f), note: String(raw.note ?? ''), input: decodeInput(text) };
    });
}

/** The target ids that have a corpus folder. */
export function corpusTargets(): string[] {
  if (!existsSync(CORPUS_DIR)) return [];
  return readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}
