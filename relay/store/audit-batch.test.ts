import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../common/db.js';
import { AuditLog } from './audit.js';
import { migrate } from './schema.js';

let db: Db;
beforeAll(async () => {
  db = await openDb();
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

describe('audit group commit: one bad record never fails its neighbours', () => {
  it('refuses a record with text that is not well-formed Unicode before it joins a batch', async () => {
    const audit = new AuditLog(db);
    const good = Array.from({ length: 30 }, (_, i) => audit.append({ kind: 'test.good', detail: { i } }));
    // Thrown at once (a bad caller), so it never reaches the shared statement.
    expect(() => audit.append({ kind: 'test.bad', detail: { reason: 'bad\ud800' } })).toThrow(TypeError);
    expect(() => audit.append({ kind: 'test.bad', kioskId: '\udc00' })).toThrow(TypeError);
    expect(() => audit.append({ kind: 'test.bad', detail: { n: Number.NaN } })).toThrow(TypeError);
    expect(() => audit.append({ kind: 'test.bad', detail: { s: 'a\0b' } })).toThrow(TypeError);
    const entries = await Promise.all(good);
    expect(entries).toHaveLength(30);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('retries the members of a refused batch one by one, so only the refused record fails', async () => {
    const audit = new AuditLog(db);
    await db.exec(`
      CREATE FUNCTION test_refuse_poison() RETURNS trigger AS $$
        BEGIN IF NEW.kind = 'test.poison' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql;
      CREATE TRIGGER test_refuse_poison BEFORE INSERT ON relay_audit FOR EACH ROW EXECUTE FUNCTION test_refuse_poison();`);
    try {
      const all = [
        ...Array.from({ length: 20 }, (_, i) => audit.append({ kind: 'test.neighbour', detail: { i } })),
        audit.append({ kind: 'test.poison' }),
        ...Array.from({ length: 20 }, (_, i) => audit.append({ kind: 'test.neighbour', detail: { i } })),
      ];
      const settled = await Promise.allSettled(all);
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(40);
      expect(settled[20]?.status).toBe('rejected');
    } finally {
      await db.exec('DROP TRIGGER test_refuse_poison ON relay_audit; DROP FUNCTION test_refuse_poison();');
    }
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('appends inside a caller transaction: a rollback leaves neither the action nor the record', async () => {
    const audit = new AuditLog(db);
    const before = (await audit.verify()) as { count: number };
    await expect(
      db.transaction(async (tx) => {
        await tx.query(
          "INSERT INTO relay_stops (scope, reason, stopped_by) VALUES ('131016', 'tx test', 'test')",
        );
        await audit.appendInTx(tx, [{ kind: 'issuance.stopped', municipality: '131016' }]);
        throw new Error('the action failed after its record');
      }),
    ).rejects.toThrow('the action failed');
    expect((await db.query("SELECT 1 FROM relay_stops WHERE scope = '131016'")).rows).toHaveLength(0);
    expect(await audit.verify()).toMatchObject({ ok: true, count: before.count });
    // The group-committed path sees the head moved by a committed transaction and keeps one chain.
    await db.transaction((tx) => audit.appendInTx(tx, [{ kind: 'test.tx' }]));
    await audit.append({ kind: 'test.after' });
    expect(await audit.verify()).toMatchObject({ ok: true, count: before.count + 2 });
  });
});
