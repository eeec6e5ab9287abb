import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createPanelApp } from '../panel/server.js';
import { Jlis } from '../../jlis-sim/jlis.js';
import { startReaderHarness, type ReaderHarness } from './testing/harness.js';

describe('card reader panel API (in-process, Hono app.request)', () => {
  let h: ReaderHarness;
  let app: Hono;
  beforeAll(async () => {
    h = await startReaderHarness();
    app = createPanelApp({ devices: [h.device], events: h.events });
  });
  afterAll(() => h?.stop());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      ...(body === undefined
        ? {}
        : {
            body: typeof body === 'string' ? body : JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('places, shows and removes a card, without ever showing the PIN or card data', async () => {
    let r = await call('POST', '/api/card', { resident: 'taro' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      plugged: true,
      present: true,
      resident: 'taro',
      mode: 'normal',
      remainingTries: 3,
      jpkiRemainingTries: 3,
      jpkiSerial: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    r = await call('GET', '/api/card');
    const text = JSON.stringify(r.json);
    expect(text).not.toContain('1234');
    expect(text).not.toContain('990000000019');
    r = await call('DELETE', '/api/card');
    expect(r.json).toMatchObject({ present: false, resident: null });
  });

  it('takes the resident default mode and an explicit mode', async () => {
    expect((await call('POST', '/api/card', { resident: 'noap' })).json).toMatchObject({ mode: 'no-ap' });
    expect((await call('POST', '/api/card', { resident: 'taro', mode: 'garble' })).json).toMatchObject({
      mode: 'garble',
    });
  });

  it('sets the retry counter and locks the card; the counter is persisted in the state folder', async () => {
    await call('POST', '/api/card', { resident: 'hanako' });
    expect((await call('POST', '/api/card/pin-tries', { remaining: 1 })).json).toMatchObject({
      remainingTries: 1,
    });
    expect((await call('POST', '/api/card/lock')).json).toMatchObject({ remainingTries: 0 });
    const stored = JSON.parse(readFileSync(join(h.stateDir, 'card-pin-tries.json'), 'utf8'));
    expect(stored).toMatchObject({ hanako: 0 });
    expect((await call('POST', '/api/card/pin-tries', { remaining: 3 })).json).toMatchObject({
      remainingTries: 3,
    });
  });

  it("serves the 券面事項入力補助AP issuer's certificate, the same as the J-LIS stand-in's kenhojo-signer.pem", async () => {
    const r = await call('GET', '/api/card/issuer');
    const served = new X509Certificate(String(r.json['certificate']));
    const onDisk = new X509Certificate(readFileSync(join(h.stateDir, 'jlis', 'kenhojo-signer.pem')));
    expect(served.fingerprint256).toBe(onDisk.fingerprint256);
    expect(Buffer.from(served.raw)).toEqual(Buffer.from(h.device.kenhojoIssuerCertificate));
    expect(served.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('answers bad requests with coded errors', async () => {
    expect(await call('POST', '/api/card', { resident: 'nobody' })).toMatchObject({
      status: 404,
      json: { error: { code: 'SIM_UNKNOWN_RESIDENT' } },
    });
    expect(await call('POST', '/api/card', { resident: 'taro', mode: 'warp' })).toMatchObject({
      status: 400,
      json: { error: { code: 'SIM_BAD_REQUEST' } },
    });
    expect(await call('POST', '/api/card', '{not json')).toMatchObject({
      status: 400,
      json: { error: { code: 'SIM_BAD_REQUEST' } },
    });
    expect(await call('POST', '/api/card/pin-tries', { remaining: 4 })).toMatchObject({ status: 400 });
    await call('DELETE', '/api/card');
    expect(await call('POST', '/api/card/pin-tries', { remaining: 2 })).toMatchObject({
      status: 409,
      json: { error: { code: 'CARD_NOT_PRESENT' } },
    });
  });

  it('unplugs and plugs the reader (the host-side port disappears and comes back)', async () => {
    expect((await call('POST', '/api/reader/unplug')).json).toMatchObject({ plugged: false });
    expect(() => readFileSync(h.hostPath)).toThrow();
    expect((await call('POST', '/api/reader/plug')).json).toMatchObject({ plugged: true });
  });

  it('keeps the issuer key across restarts of the simulator (same state folder)', async () => {
    const again = await Jlis.open(join(h.stateDir, 'jlis'));
    expect(Buffer.from(again.kenhojoSignerCertificate)).toEqual(
      Buffer.from(h.device.kenhojoIssuerCertificate),
    );
  });
});
