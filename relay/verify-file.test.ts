import { describe, expect, it } from 'vitest';
import { canonicalRecord, chainHash, GENESIS_HASH } from './store/audit.js';
import { verifyExport } from './verify-file.js';

const record = {
  seq: 1,
  at: '2026-01-01T00:00:00.000Z',
  kind: 'enroll.code-created',
  requestId: null,
  kioskId: null,
  municipality: null,
  detail: { by: 'test', kioskName: 'store-0' },
};
const line = { ...record, prevHash: GENESIS_HASH, hash: chainHash(GENESIS_HASH, canonicalRecord(record)) };

describe('verifyExport', () => {
  it('verifies a record the relay wrote', () => {
    expect(verifyExport(JSON.stringify(line))).toEqual({ ok: true, count: 1, head: line.hash });
  });

  it('refuses a line with a field the relay never writes, although the hashed fields still match', () => {
    // Found by the verify-file fuzz target: an added key verified because the schema stripped it.
    expect(verifyExport(JSON.stringify({ ...line, ind: 'enroll.code-created' }))).toMatchObject({
      ok: false,
      code: 'RELAY_AUDIT_CHAIN_BROKEN',
      seq: 1,
    });
  });
});
