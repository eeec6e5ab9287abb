import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db.js';
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

    it('delivers notifications', async () => {
      const got = new Promise<string>((resolve) => {
        void db.listen('test_chan', resolve);
      });
      await new Promise((r) => setTimeout(r, 50));
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
  },
);
