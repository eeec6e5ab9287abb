import fc from 'fast-check';

/**
 * Input generators shared by the boundary fuzz targets: strings with every kind of UTF-16 (astral code points,
 * lone surrogates, NUL, BOM, line separators), JSON-shaped values built from them, and mutations of valid
 * inputs (bytes, text, JSON structure) so a target spends its runs near the shape its parser accepts.
 */

/** One UTF-16 unit or one code point, biased towards the awkward ones. */
const awkward = fc.constantFrom(
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u0000',
  '\ufeff',
  '\ufffd',
  '\u2028',
  '\u2029',
  '\u202e',
  '\\',
  '"',
  '\n',
  '\r',
  '%',
  '/',
  '..',
  '𠮷',
  '🇯🇵',
  'ｱ',
);
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: awkward },
);

/** Any JavaScript string: ASCII, any code point, lone surrogates and the characters parsers trip on. */
export function anyString(maxLength = 64): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit, maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ maxLength }),
  );
}

/** Numbers JSON can carry and a few it cannot round-trip. */
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -0, 1, -1, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, 5e-324, 1e21, 0.1),
  fc.nat(10),
);

/** JSON-shaped values whose strings and keys are `anyString`, with the keys parsers special-case. */
export function anyJson(maxDepth = 3): fc.Arbitrary<unknown> {
  const key = fc.oneof(
    { weight: 4, arbitrary: anyString(12) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'v', 'type'),
    },
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth, withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      anyNumber,
      anyString(40),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    ),
  }));
  return value;
}

/** JSON text of `anyJson`, or text that is almost JSON. */
export function anyJsonText(maxDepth = 3): fc.Arbitrary<string> {
  return fc.oneof(
    anyJson(maxDepth).map((v) => JSON.stringify(v) ?? 'null'),
    anyString(80),
    fc.constantFrom(
      '',
      '{',
      '[',
      'null',
      '{}',
      '[]',
      '"',
      '{"a":}',
      '1e999',
      '-',
      '\ufeff{}',
      '{"__proto__":{}}',
    ),
  );
}

type ByteOp =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; n: number }
  | { op: 'truncate'; at: number }
  | { op: 'repeat'; at: number; n: number };

const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    op: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 0x7f, 0x80, 0xff, 0x22, 0x5c, 0x7b, 0x7d),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 32 }) }),
);

/** Applies byte-level mutations (flip, set, insert, delete, truncate, repeat a range). */
export function applyByteOps(seed: Uint8Array, ops: readonly ByteOp[]): Uint8Array {
  let b = Uint8Array.from(seed);
  for (const o of ops) {
    const at = b.length === 0 ? 0 : o.at % (b.length + 1);
    switch (o.op) {
      case 'flip':
        if (b.length > 0) b[at % b.length] = b[at % b.length]! ^ o.mask;
        break;
      case 'set':
        if (b.length > 0) b[at % b.length] = o.value;
        break;
      case 'insert':
        b = Uint8Array.from([...b.subarray(0, at), ...o.bytes, ...b.subarray(at)]);
        break;
      case 'delete':
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + o.n)]);
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'repeat':
        b = Uint8Array.from([...b.subarray(0, at + o.n), ...b.subarray(at)]);
        break;
    }
  }
  return b;
}

/** Valid byte strings with 1–6 mutations each. */
export function mutatedBytes(seeds: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(seeds, fc.array(byteOp, { minLength: 1, maxLength: 6 }))
    .map(([s, ops]) => applyByteOps(s, ops));
}

type TextOp =
  | { op: 'insert'; at: number; s: string }
  | { op: 'delete'; at: number; n: number }
  | { op: 'replace'; at: number; s: string }
  | { op: 'truncate'; at: number }
  | { op: 'repeat'; at: number; n: number }
  | { op: 'swap'; at: number; other: number };

const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), s: anyString(6) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), s: anyString(3) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
);

/** Applies UTF-16-level edits (which may split a surrogate pair: that is the point). */
export function applyTextOps(seed: string, ops: readonly TextOp[]): string {
  let s = seed;
  for (const o of ops) {
    const at = o.at % (s.length + 1);
    switch (o.op) {
      case 'insert':
        s = s.slice(0, at) + o.s + s.slice(at);
        break;
      case 'delete':
        s = s.slice(0, at) + s.slice(at + o.n);
        break;
      case 'replace':
        s = s.slice(0, at) + o.s + s.slice(at + o.s.length);
        break;
      case 'truncate':
        s = s.slice(0, at);
        break;
      case 'repeat':
        s = s.slice(0, at + o.n) + s.slice(at);
        break;
      case 'swap': {
        const b = o.other % (s.length + 1);
        const [x, y] = at < b ? [at, b] : [b, at];
        s = s.slice(0, x) + s.slice(y) + s.slice(x, y);
        break;
      }
    }
  }
  return s;
}

/** Valid texts with 1–5 edits each. */
export function mutatedText(seeds: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(seeds, fc.array(textOp, { minLength: 1, maxLength: 5 }))
    .map(([s, ops]) => applyTextOps(s, ops));
}

type Path = (string | number)[];

/**
 * Every path into a JSON value. A mutation can make a value contain itself (a node retyped into an array that
 * holds it) or nest deeply: each object is visited once and the walk stops at 64 levels, so the harness never
 * overflows the stack on what it generated.
 */
function paths(v: unknown, prefix: Path = [], out: Path[] = [], seen = new WeakSet<object>()): Path[] {
  out.push(prefix);
  if (v === null || typeof v !== 'object' || seen.has(v) || prefix.length >= 64) return out;
  seen.add(v);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out, seen));
  else for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out, seen);
  return out;
}

type JsonOp =
  | { op: 'replace'; pick: number; value: unknown }
  | { op: 'delete'; pick: number }
  | { op: 'add'; pick: number; key: string; value: unknown }
  | { op: 'retype'; pick: number; how: 'string' | 'number' | 'array' | 'object' | 'null' | 'long' };

const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), value: anyJson(2) }),
  fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), pick: fc.nat(), key: anyString(10), value: anyJson(1) }),
  fc.record({
    op: fc.constant('retype' as const),
    pick: fc.nat(),
    how: fc.constantFrom('string', 'number', 'array', 'object', 'null', 'long'),
  }),
);

function retype(v: unknown, how: string): unknown {
  switch (how) {
    case 'string':
      return typeof v === 'string' ? v + '\ud800' : (JSON.stringify(v) ?? '');
    case 'number':
      return typeof v === 'number' ? -v - 1 : typeof v === 'string' ? Number(v) || v.length : 0;
    case 'array':
      return [v];
    case 'object':
      return { v };
    case 'null':
      return null;
    default:
      return typeof v === 'string' ? v.repeat(200) : 'x'.repeat(5000);
  }
}

/** Applies structural edits at random paths: replace a value, delete a key, add a key, change a type. */
export function applyJsonOps(seed: unknown, ops: readonly JsonOp[]): unknown {
  let root: unknown = structuredClone(seed);
  for (const o of ops) {
    const all = paths(root);
    const path = all[o.pick % all.length]!;
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1];
    let parent: unknown = root;
    for (const k of parentPath) parent = (parent as Record<string | number, unknown>)[k];
    const get = () => (last === undefined ? root : (parent as Record<string | number, unknown>)[last]);
    const set = (x: unknown) => {
      if (last === undefined) root = x;
      else
        Object.defineProperty(parent, last, {
          value: x,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    };
    switch (o.op) {
      case 'replace':
        set(o.value);
        break;
      case 'delete':
        if (last === undefined) root = undefined;
        else if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete (parent as Record<string, unknown>)[last];
        break;
      case 'add': {
        const target = get();
        if (Array.isArray(target)) target.push(o.value);
        else if (target !== null && typeof target === 'object')
          Object.defineProperty(target, o.key, {
            value: o.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else set(o.value);
        break;
      }
      case 'retype':
        set(retype(get(), o.how));
        break;
    }
  }
  return root;
}

/** Valid JSON values with 1–3 structural edits each. */
export function mutatedJson(seeds: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(seeds, fc.array(jsonOp, { minLength: 1, maxLength: 3 }))
    .map(([s, ops]) => applyJsonOps(s, ops));
}

/**
 * JSON text near `seeds`: the seed itself, structurally edited values, and edited text of valid or edited
 * values (so both the JSON parser and the schema behind it get inputs close to what they accept).
 */
export function nearJsonText(seeds: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const text = (v: unknown) => JSON.stringify(v) ?? 'null';
  return fc.oneof(
    { weight: 1, arbitrary: seeds.map(text) },
    { weight: 4, arbitrary: mutatedJson(seeds).map(text) },
    { weight: 3, arbitrary: mutatedText(seeds.map(text)) },
    { weight: 1, arbitrary: mutatedText(mutatedJson(seeds).map(text)) },
    { weight: 1, arbitrary: anyJsonText() },
  );
}
