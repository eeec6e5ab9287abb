import pg from 'pg';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDb, type Db, type DbTx } from './db.js';
import { postgresUnavailableReason, startTestPostgres, type TestPostgres } from './testing/postgres.js';

function contract(name: string, open: () => Promise<Db>) {
  describe(name, () => {
    let db: Db;
    beforeAll(async () => {
      db = await open();
      await db.exec('CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL)');
    });
    afterAll(async () => db?.close());

    it('runs parameterised queries', async () => {
      await db.query('INSERT INTO t (v) VALUES ($1), ($2)', ['a', 'b']);
      const r = await db.query<{ v: string }>('SELECT v FROM t ORDER BY id');
      expect(r.rows.map((x) => x.v)).toEqual(['a', 'b']);
    });

    it('rolls a failed transaction back', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t (v) VALUES ($1)', ['c']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t');
      expect(r.rows[0]?.n).toBe(2);
    });

    it('runs a prepared statement with any text, keeps SQL error codes, and refuses a reused name', async () => {
      await db.exec('CREATE TABLE p (k text PRIMARY KEY, n bigint, b boolean, j jsonb, raw bytea)');
      const ins =
        'INSERT INTO p (k, n, b, j, raw) VALUES ($1::text, $2::bigint, $3::boolean, $4::jsonb, $5::bytea)';
      const tricky = [
        `it's`,
        'ends in $',
        '$p',
        '$$',
        "\\'; SELECT 1; --",
        'back\\slash \\x00',
        '$p$ and $p0$',
        '"); DROP TABLE p; --',
        '日本語 ✓',
        '',
      ];
      for (const [i, k] of tricky.entries()) {
        const r = await db.queryPrepared('test_insert_p', ins, [
          k,
          i * 1e12,
          i % 2 === 0,
          { k, i },
          new Uint8Array([0, 39, i]),
        ]);
        expect(r.affectedRows).toBe(1);
      }
      const back = await db.queryPrepared<{
        k: string;
        n: string | number;
        b: boolean;
        j: unknown;
        raw: Uint8Array;
      }>('test_select_p', 'SELECT k, n, b, j, raw FROM p WHERE k = $1::text OR $1::text IS NULL ORDER BY n', [
        null,
      ]);
      expect(back.rows.map((r) => r.k)).toEqual(tricky);
      expect(back.rows.map((r) => Number(r.n))).toEqual(tricky.map((_, i) => i * 1e12));
      expect(back.rows.map((r) => r.b)).toEqual(tricky.map((_, i) => i % 2 === 0));
      expect(back.rows.map((r) => r.j)).toEqual(tricky.map((k, i) => ({ k, i })));
      expect(back.rows.map((r) => [...r.raw])).toEqual(tricky.map((_, i) => [0, 39, i]));
      await expect(db.queryPrepared('test_insert_p', ins, ['x', 1, true, {}, null])).resolves.toMatchObject({
        affectedRows: 1,
      });
      await expect(
        db.queryPrepared('test_insert_p', ins, [tricky[0], 1, true, {}, null]),
      ).rejects.toMatchObject({
        code: '23505',
      });
      if (db.kind === 'pglite') {
        await expect(db.queryPrepared('test_insert_p', 'SELECT 1', [])).rejects.toThrow(
          'prepared with other SQL',
        );
      }
      await expect(db.queryPrepared('bad name', 'SELECT 1', [])).rejects.toThrow('plain identifier');
    });

    it('prepares a statement once when its first calls come together', async () => {
      const rows = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          db.queryPrepared<{ n: number }>('test_together', 'SELECT $1::int AS n', [n]),
        ),
      );
      expect(rows.map((r) => r.rows[0]?.n)).toEqual([1, 2, 3, 4, 5]);
    });

    it('carries any text through a prepared statement unchanged', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc
            .oneof(
              fc.string({ unit: 'binary', maxLength: 40 }),
              // SQL's quoting characters, often: where quoting goes wrong
              fc.string({
                unit: fc.constantFrom('$', "'", '"', '\\', 'p', 'E', ';', '-', ' '),
                maxLength: 12,
              }),
            )
            .filter((t) => !t.includes('\0')),
          async (t) => {
            const r = await db.queryPrepared<{ t: string }>('test_echo', 'SELECT $1::text AS t', [t]);
            expect(r.rows[0]?.t).toBe(t);
          },
        ),
        { numRuns: 150 },
      );
    });

    it('binds parameters as values: a bad one is a clean database error and the statement keeps working', async () => {
      await expect(
        db.queryPrepared('test_int', 'SELECT $1::int AS n', ['12; DROP TABLE p']),
      ).rejects.toMatchObject({
        code: '22P02',
      });
      await expect(db.queryPrepared('test_int', 'SELECT $1::int AS n', ['a\0b'])).rejects.toThrow();
      await expect(db.queryPrepared('test_int', 'SELECT $1::int AS n', [1, 2])).rejects.toThrow();
      expect((await db.queryPrepared<{ n: number }>('test_int', 'SELECT $1::int AS n', [7])).rows).toEqual([
        { n: 7 },
      ]);
      expect((await db.query<{ n: string }>('SELECT count(*) AS n FROM p')).rows[0]?.n).not.toBeUndefined();
    });

    it('never runs inside another caller’s open transaction', async () => {
      await db.exec('CREATE TABLE IF NOT EXISTS iso (v int)');
      const count = () =>
        db.queryPrepared<{ n: number }>('test_iso', 'SELECT count(*)::int AS n FROM iso', []);
      expect((await count()).rows).toEqual([{ n: 0 }]); // prepared before the transaction
      let inTx!: (t: DbTx) => void;
      const opened = new Promise<DbTx>((r) => (inTx = r));
      let finish!: () => void;
      const held = new Promise<void>((r) => (finish = r));
      const tx = db
        .transaction(async (t) => {
          await t.query('INSERT INTO iso VALUES (1)');
          inTx(t);
          await held;
          throw new Error('roll back');
        })
        .catch(() => undefined);
      const t = await opened;
      let ran = false;
      const counted = count().finally(() => (ran = true));
      // Statements inside the open transaction: on PGlite's one session a prepared statement that slipped in
      // would have run by now (and counted the uncommitted row). A server runs it on another connection.
      for (let i = 0; i < 5; i++) await t.query('SELECT 1');
      if (db.kind === 'pglite') expect(ran).toBe(false);
      finish();
      await tx;
      expect((await counted).rows).toEqual([{ n: 0 }]);
    });

    it('delivers notifications', async () => {
      let deliver: (payload: string) => void = () => undefined;
      const got = new Promise<string>((resolve) => (deliver = resolve));
      // listen resolves once LISTEN is in force: no sleep needed (a 50 ms one lost the race on a busy machine).
      await db.listen('test_chan', (p) => deliver(p));
      await db.notify('test_chan', 'hello');
      await expect(got).resolves.toBe('hello');
    });
  });
}

contract('Db on embedded PGlite', () => openDb());
contract('Db on embedded PGlite on a worker thread', () => openDb({ thread: true }));

describe('Db on a PGlite thread', () => {
  it('keeps a transaction whole while other statements wait, and reports SQL errors with their code', async () => {
    const db = await openDb({ thread: true });
    try {
      await db.exec('CREATE TABLE u (id int PRIMARY KEY)');
      let inTx = 0;
      const tx = db.transaction(async (t) => {
        await t.query('INSERT INTO u VALUES (1)');
        await new Promise((r) => setTimeout(r, 30));
        inTx = (await t.query<{ n: number }>('SELECT count(*)::int AS n FROM u')).rows[0]!.n;
        throw new Error('roll back');
      });
      // Sent while the transaction is open: must neither see its row nor land inside it.
      const outside = db.query('INSERT INTO u VALUES (2)');
      await expect(tx).rejects.toThrow('roll back');
      await outside;
      expect(inTx).toBe(1);
      const rows = (await db.query<{ id: number }>('SELECT id FROM u ORDER BY id')).rows;
      expect(rows.map((r) => r.id)).toEqual([2]);
      await expect(db.query('INSERT INTO u VALUES (2)')).rejects.toMatchObject({ code: '23505' });
    } finally {
      await db.close();
    }
  });
});

const reason = postgresUnavailableReason();
describe.skipIf(reason !== undefined)(
  `Db on a PostgreSQL server${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    let server: TestPostgres;
    beforeAll(async () => {
      server = await startTestPostgres();
    });
    afterAll(async () => server?.stop());
    contract('contract', () => openDb({ url: server.url }));

    it('re-establishes a LISTEN connection that was killed, and tells the subscriber of the gap', async () => {
      const db = await openDb({ url: server.url, applicationName: 'dbtest' });
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      try {
        const events: string[] = [];
        const got: string[] = [];
        await db.listen('gap_chan', (p) => got.push(p), {
          onGap: () => events.push('gap'),
          onResume: () => events.push('resume'),
        });
        const killed = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dbtest-listen'`,
        );
        expect(killed.rowCount).toBe(1);
        await vi.waitFor(() => expect(events).toEqual(['gap', 'resume']), { timeout: 15_000 });
        await db.notify('gap_chan', 'after');
        await vi.waitFor(() => expect(got).toEqual(['after']), { timeout: 15_000 });
      } finally {
        await admin.end();
        await db.close();
      }
    });
  },
);
