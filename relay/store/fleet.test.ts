import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../common/db.js';
import { createLogger } from '../../common/log.js';
import { places } from '../ops/dashboard/places.js';
import { enrolSyntheticFleet, holdSynthetic } from '../testing/synthetic-fleet.js';
import { FleetStore } from './fleet.js';
import { migrate } from './schema.js';

let db: Db;
let fleet: FleetStore;
let release: () => void;
const COUNT = 4000;

beforeAll(async () => {
  db = await openDb();
  await migrate(db);
  await enrolSyntheticFleet(db, COUNT);
  release = holdSynthetic(db);
  fleet = new FleetStore(
    db,
    createLogger('test', () => undefined),
  );
  await db.query(
    `INSERT INTO relay_processes (id, at, sample) VALUES ('synthetic', now(), '{}') ON CONFLICT (id) DO UPDATE SET at = now()`,
  );
}, 120_000);
afterAll(async () => {
  release();
  await db.close();
});

describe('synthetic fleet and the fleet queries', () => {
  it('puts kiosks in every prefecture and every municipality (a designated city in its wards)', async () => {
    const r = await db.query<{ n: string; m: string; p: string }>(
      'SELECT count(*) AS n, count(DISTINCT municipality) AS m, count(DISTINCT prefecture) AS p FROM relay_kiosks',
    );
    const expected = [...places().places.values()].filter((p) => !p.hasWards).length;
    expect(Number(r.rows[0]?.n)).toBe(COUNT);
    expect(Number(r.rows[0]?.p)).toBe(47);
    expect(Number(r.rows[0]?.m)).toBe(expected);
  });

  it('pages on the server, red first, and counts the whole filtered set', async () => {
    const page = await fleet.page({ offset: 0, limit: 50 });
    expect(page.total).toBe(COUNT);
    expect(page.rows).toHaveLength(50);
    const rank = { red: 0, yellow: 1, green: 2, revoked: 3 };
    const ranks = page.rows.map((r) => rank[r.status]);
    expect([...ranks].sort()).toEqual(ranks);
    expect(page.rows[0]?.status).toBe('red');
  });

  it('filters by status, prefecture and store text; the map covers 47 prefectures', async () => {
    const red = await fleet.page({ status: 'red', offset: 0, limit: 200 });
    expect(red.rows.every((r) => r.status === 'red')).toBe(true);
    const tokyo = await fleet.page({ prefecture: '13', offset: 0, limit: 10 });
    expect(tokyo.total).toBeGreaterThan(0);
    expect(tokyo.rows.every((r) => r.prefecture === '13')).toBe(true);
    const text = await fleet.page({ q: '駅前', offset: 0, limit: 10 });
    expect(text.rows.every((r) => (r.store ?? '').includes('駅前'))).toBe(true);
    const literal = await fleet.page({ q: '%', offset: 0, limit: 10 });
    expect(literal.total).toBe(0);
    const map = await fleet.map();
    expect(map).toHaveLength(47);
    expect(map.reduce((s, m) => s + m.total, 0)).toBe(COUNT);
  });

  it('shows the kiosks of a process gone silent as offline (red)', async () => {
    const before = await fleet.page({ status: 'red', offset: 0, limit: 1 });
    await db.query(`UPDATE relay_processes SET at = now() - interval '1 minute' WHERE id = 'synthetic'`);
    const after = await fleet.page({ status: 'red', offset: 0, limit: 1 });
    expect(after.total).toBe(COUNT);
    expect(after.total).toBeGreaterThan(before.total);
    await db.query(`UPDATE relay_processes SET at = now() WHERE id = 'synthetic'`);
  });
});
