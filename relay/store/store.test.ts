import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../../common/db.js';
import { AuditLog, GENESIS_HASH } from './audit.js';
import { BanList } from './bans.js';
import { ENROLL_ALPHABET, EnrollmentCodes } from './enrollment.js';
import { KioskRegistry } from './kiosks.js';
import { migrate } from './schema.js';
import { StopList } from './stops.js';

const newKioskId = () => randomBytes(32).toString('base64url');

let db: Db;
beforeAll(async () => {
  db = await openDb();
  await migrate(db);
  await migrate(db); // idempotent
});
afterAll(async () => {
  await db.close();
});

describe('audit log', () => {
  it('chains concurrent appends in order and verifies', async () => {
    const audit = new AuditLog(db);
    const entries = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        audit.append({
          kind: 'test',
          requestId: `r${i}`,
          kioskId: 'k',
          municipality: '131016',
          detail: { i },
        }),
      ),
    );
    const seqs = entries.map((e) => e.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(250);
    expect(seqs[0]).toBe(1);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    const v = await audit.verify();
    expect(v).toMatchObject({ ok: true, count: 250 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(db.query("UPDATE relay_audit SET kind = 'x' WHERE seq = 1")).rejects.toThrow(/insert-only/);
    await expect(db.query('DELETE FROM relay_audit WHERE seq = 1')).rejects.toThrow(/insert-only/);
    await expect(db.exec('TRUNCATE relay_audit')).rejects.toThrow(/insert-only/);
  });

  it('detects an altered record even when the attacker disables the trigger', async () => {
    const local = await openDb();
    await migrate(local);
    const audit = new AuditLog(local);
    for (let i = 0; i < 5; i++) await audit.append({ kind: 'test', detail: { i } });
    await local.exec('ALTER TABLE relay_audit DISABLE TRIGGER relay_audit_no_change');
    await local.query(`UPDATE relay_audit SET detail = '{"i":99}'::jsonb WHERE seq = 3`);
    expect(await audit.verify()).toEqual({ ok: false, code: 'RELAY_AUDIT_CHAIN_BROKEN', seq: 3 });
    await local.query('DELETE FROM relay_audit WHERE seq = 5');
    await local.query(`UPDATE relay_audit SET detail = '{"i":2}'::jsonb WHERE seq = 3`);
    expect(await audit.verify()).toMatchObject({ ok: false, code: 'RELAY_AUDIT_CHAIN_BROKEN' });
    await local.close();
  });

  it('throws on a bad caller', () => {
    const audit = new AuditLog(db);
    expect(() => audit.append({ kind: '' })).toThrow(TypeError);
  });
});

describe('enrollment codes', () => {
  it('makes 8-character codes from the unambiguous alphabet', async () => {
    const codes = new EnrollmentCodes(db);
    for (let i = 0; i < 20; i++) {
      const { code } = await codes.create();
      expect(code).toHaveLength(8);
      for (const c of code) expect(ENROLL_ALPHABET).toContain(c);
    }
  });

  it('enrolls once; a used code is invalid', async () => {
    const codes = new EnrollmentCodes(db);
    const { code } = await codes.create({ name: 'store-1' });
    const kioskId = newKioskId();
    const spaced = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
    expect(await codes.redeem({ code: spaced, publicKey: kioskId })).toEqual({
      ok: true,
      kioskId,
      name: 'store-1',
    });
    expect(await codes.redeem({ code, publicKey: newKioskId() })).toEqual({
      ok: false,
      code: 'RELAY_ENROLL_CODE_INVALID',
    });
  });

  it('expires', async () => {
    let t = Date.now();
    const codes = new EnrollmentCodes(db, () => t);
    const { code } = await codes.create({ ttlMs: 1000 });
    t += 1001;
    expect(await codes.redeem({ code, publicKey: newKioskId() })).toEqual({
      ok: false,
      code: 'RELAY_ENROLL_CODE_EXPIRED',
    });
  });

  it('dies after three failed attempts', async () => {
    const codes = new EnrollmentCodes(db);
    const { code } = await codes.create();
    for (let i = 0; i < 3; i++) {
      expect(await codes.redeem({ code, publicKey: 'not-a-key' })).toEqual({
        ok: false,
        code: 'RELAY_ENROLL_KEY_INVALID',
      });
    }
    expect(await codes.redeem({ code, publicKey: newKioskId() })).toEqual({
      ok: false,
      code: 'RELAY_ENROLL_CODE_INVALID',
    });
  });

  it('never lets wrong codes sent with a guessable name burn that store code (issue 12 item 5)', async () => {
    const codes = new EnrollmentCodes(db);
    const { code } = await codes.create({ name: 'store-9999' });
    for (let i = 0; i < 10; i++) {
      for (const guess of ['AAAAAAAA', 'nope']) {
        expect(await codes.redeem({ code: guess, publicKey: newKioskId(), name: 'store-9999' })).toEqual({
          ok: false,
          code: 'RELAY_ENROLL_CODE_INVALID',
        });
      }
    }
    expect((await codes.listPending()).find((c) => c.name === 'store-9999')?.triesLeft).toBe(3);
    const kioskId = newKioskId();
    expect(await codes.redeem({ code, publicKey: kioskId })).toEqual({
      ok: true,
      kioskId,
      name: 'store-9999',
    });
  });

  it('refuses a key that is already enrolled, and malformed codes', async () => {
    const codes = new EnrollmentCodes(db);
    const kioskId = newKioskId();
    expect((await codes.redeem({ code: (await codes.create()).code, publicKey: kioskId })).ok).toBe(true);
    expect(await codes.redeem({ code: (await codes.create()).code, publicKey: kioskId })).toEqual({
      ok: false,
      code: 'RELAY_KIOSK_ALREADY_ENROLLED',
    });
    expect(await codes.redeem({ code: '0OIl', publicKey: kioskId })).toEqual({
      ok: false,
      code: 'RELAY_ENROLL_CODE_INVALID',
    });
  });
});

describe('kiosk registry, bans, stops', () => {
  it('tracks active and revoked kiosks; revocation is final', async () => {
    const reg = new KioskRegistry(db);
    const id = newKioskId();
    expect(reg.status(id)).toBe('unknown');
    await reg.insert(id, 'store');
    expect(reg.status(id)).toBe('active');
    expect(await reg.revoke(id, 'lost')).toBe(true);
    expect(reg.status(id)).toBe('revoked');
    reg.apply(id, 'active');
    expect(reg.status(id)).toBe('revoked');
    const fresh = new KioskRegistry(db);
    await fresh.load();
    expect(fresh.status(id)).toBe('revoked');
    await reg.recordSeen([{ kioskId: id, at: new Date(), health: { printer: 'ok' } }]);
    expect((await reg.get(id))?.lastHealth).toEqual({ printer: 'ok' });
  });

  it('bans expire', async () => {
    let t = Date.now();
    const bans = new BanList(db, () => t);
    await bans.ban('source', '127.0.0.9', 1000, 'test');
    expect(bans.isBanned('source', '127.0.0.9')).toBe(true);
    expect(bans.isBanned('identity', '127.0.0.9')).toBe(false);
    t += 1001;
    expect(bans.isBanned('source', '127.0.0.9')).toBe(false);
  });

  it('stops per municipality and fleet-wide', async () => {
    const stops = new StopList(db);
    await stops.stop('131016', 'test', 'op');
    expect(stops.isStopped('131016')).toBe(true);
    expect(stops.isStopped('271004')).toBe(false);
    await stops.stop('fleet', 'test', 'op');
    expect(stops.isStopped('271004')).toBe(true);
    await stops.resume('fleet');
    await stops.resume('131016');
    expect(stops.isStopped('131016')).toBe(false);
    await expect(stops.stop('13101', 'x', 'op')).rejects.toThrow(TypeError);
  });
});
