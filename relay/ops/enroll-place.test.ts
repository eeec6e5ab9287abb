import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../common/crypto-node.js';
import { generateIdentity, keyId } from '../../protocol/index.js';
import { startTestRelay, waitUntil, type TestRelay } from '../testing/harness.js';
import { TestKiosk } from '../testing/test-kiosk.js';

/**
 * Issue 13: an enrollment code is made for a store and a municipality; the kiosk enrolled with it stands
 * there on the Fleet page (its prefecture too), and the code's audit record says where.
 */
let t: TestRelay;
const ORIGIN = 'http://127.0.0.1:9';

beforeAll(async () => {
  t = await startTestRelay();
}, 120_000);
afterAll(async () => {
  await t.stop();
});

const ops = (path: string, init: RequestInit = {}) =>
  t.relay.ops.request(`${ORIGIN}${path}`, { ...init, headers: { ...t.opsHeaders } });

async function createCode(body: unknown) {
  const res = await ops('/api/enrollment-codes', { method: 'POST', body: JSON.stringify(body) });
  return {
    status: res.status,
    body: (await res.json()) as { code: string; expiresAt: string } & Record<string, unknown>,
  };
}

async function enrolHttp(code: string, publicKey: string): Promise<number> {
  const res = await fetch(t.relay.info.enroll, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, publicKey }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('enrollment codes with a place', () => {
  it('lists a pending code with its store and municipality (and the municipality name)', async () => {
    const made = await createCode({ store: 'Lawson <b>Kanda</b> 2-chome', municipality: '131016' });
    expect(made.status).toBe(201);
    const list = await ops('/api/operations');
    const o = (await list.json()) as {
      codes: Array<{ store: string | null; municipality: string | null; municipalityName: string | null }>;
    };
    expect(o.codes).toContainEqual(
      expect.objectContaining({
        store: 'Lawson <b>Kanda</b> 2-chome',
        municipality: '131016',
        municipalityName: '千代田区',
      }),
    );
    const plain = (await (await ops('/api/enrollment-codes')).json()) as {
      codes: Array<{ store: string | null }>;
    };
    expect(plain.codes.some((c) => c.store === 'Lawson <b>Kanda</b> 2-chome')).toBe(true);
  });

  it('puts the enrolled kiosk at that store, municipality and prefecture, and it shows there live', async () => {
    const made = await createCode({ store: 'FamilyMart Sapporo Eki-mae', municipality: '011002' });
    expect(made.status).toBe(201);
    const identity = generateIdentity(nodeCrypto);
    const kioskId = keyId(identity.publicKey);
    expect(await enrolHttp(made.body.code, kioskId)).toBe(200);

    const rows = async () => {
      const res = await ops(`/api/fleet?municipality=011002`);
      return ((await res.json()) as { rows: Array<Record<string, unknown>> }).rows;
    };
    expect(await rows()).toContainEqual(
      expect.objectContaining({
        kioskId,
        store: 'FamilyMart Sapporo Eki-mae',
        municipality: '011002',
        prefecture: '01',
        status: 'red',
      }),
    );
    const audit = await t.relay.control.audit.list(0, 10_000);
    expect(audit.find((a) => a.kind === 'enroll.code-created' && a.municipality === '011002')).toMatchObject({
      detail: { store: 'FamilyMart Sapporo Eki-mae', municipality: '011002' },
    });

    // It connects: the same row turns online where it stands.
    const c = await TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    await c.kiosk.heartbeat(1);
    await waitUntil(async () => (await rows()).some((r) => r['kioskId'] === kioskId && r['online'] === true));
    const prefecture = (await (await ops('/api/fleet?prefecture=01')).json()) as {
      rows: Array<{ kioskId: string }>;
    };
    expect(prefecture.rows.some((r) => r.kioskId === kioskId)).toBe(true);
    c.kiosk.ws.close();
  });

  it('refuses a municipality code that does not exist, or is malformed, and a store with control characters', async () => {
    for (const body of [
      { store: 'x', municipality: '999999' },
      { store: 'x', municipality: '13101' },
      { store: 'a\nb', municipality: '131016' },
      { store: '', municipality: '131016' },
      { store: 'x'.repeat(81) },
    ]) {
      const r = await createCode(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toMatchObject({ code: 'RELAY_OPS_BAD_REQUEST' });
    }
  });
});
