// Named prepared statements on an embedded PGlite through the PostgreSQL extended protocol, for
// `Db.queryPrepared` (common/db.ts) and its worker-thread back end (common/db-thread-worker.mjs). Plain
// JavaScript so that the worker loads it under any runner without a loader.
//
// PGlite's `query()` sends Parse (unnamed) + Describe + Bind + Execute each time, so a statement run often is
// parsed and planned on every call. Here a statement is parsed once under its name (Parse + Describe, which
// also gives the parameter types), then each call is Bind (parameters as values, never spliced into SQL
// text) + Describe portal + Execute + Sync in one message. Parameters are serialised as PGlite's own
// `query()` does: its serializer for the parameter's type, else `toString()`. Like `query()`, it holds
// PGlite's transaction and query locks, so it never runs inside another caller's open transaction.
import { parse, protocol } from '@electric-sql/pglite';

const STATEMENT_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** `(name, sql, params) => Promise<{ rows, affectedRows }>` over one PGlite instance. */
export function pglitePrepared(lite) {
  const statements = new Map();
  const exclusive = (fn) => lite._runExclusiveTransaction(() => lite._runExclusiveQuery(fn));
  const { serialize } = protocol;

  return async (name, sql, params) => {
    if (!STATEMENT_NAME.test(name)) throw new TypeError('statement name: not a plain identifier');
    let s = statements.get(name);
    if (s === undefined) {
      s = {
        sql,
        types: exclusive(async () => {
          const r = await lite.execProtocol(
            Buffer.concat([
              serialize.parse({ name, text: sql }),
              serialize.describe({ type: 'S', name }),
              serialize.sync(),
            ]),
          );
          return parse.parseDescribeStatementResults(r.messages);
        }),
      };
      statements.set(name, s);
      s.types.catch(() => statements.delete(name));
    } else if (s.sql !== sql) {
      throw new TypeError(`statement ${name}: prepared with other SQL`);
    }
    const types = await s.types;
    if (params.length !== types.length)
      throw new TypeError(`statement ${name}: ${types.length} parameters expected, ${params.length} given`);
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null;
      const toText = lite.serializers[types[i]];
      return toText ? toText(v) : v.toString();
    });
    return exclusive(async () => {
      const r = await lite.execProtocol(
        Buffer.concat([
          serialize.bind({ statement: name, values }),
          serialize.describe({ type: 'P' }),
          serialize.execute({}),
          serialize.sync(),
        ]),
      );
      const [result] = parse.parseResults(r.messages, lite.parsers);
      return { rows: result?.rows ?? [], affectedRows: result?.affectedRows ?? 0 };
    });
  };
}
