import { afterAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../common/crypto-node.js';
import { generateIdentity, identityFromSeed, keyId } from '../../protocol/index.js';
import { FakeVrs } from '../testing/fake-vrs.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/log.js';
import { startRelay } from '../relay.js';
import { MUNICIPALITIES, startTestRelay, waitUntil, type TestRelay } from '../testing/harness.js';
import { TestKiosk } from '../testing/test-kiosk.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function connectMany(t: TestRelay, n: number): Promise<TestKiosk[]> {
  const ids = Array.from({ length: n }, () => generateIdentity(nodeCrypto));
  for (const id of ids) await t.relay.control.kiosks.insert(keyId(id.publicKey), null);
  const kiosks: TestKiosk[] = [];
  for (let i = 0; i < n; i += 100) {
    const batch = await Promise.all(
      ids
        .slice(i, i + 100)
        .map((identity) => TestKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity })),
    );
    for (const r of batch) {
      if (!r.ok) throw new Error(`connect refused: ${r.code}`);
      kiosks.push(r.kiosk);
    }
  }
  return kiosks;
}

describe('every answer reaches exactly the kiosk and request that asked', () => {
  it('1,000 kiosks × 10 concurrent requests, answers shuffled by VRS delays: zero misdeliveries', async () => {
    const t = await startTestRelay(
      { maxInflightPerKiosk: 16 },
      { delayMs: () => Math.floor(Math.random() * 30) },
    );
    cleanups.push(() => t.stop());
    const kiosks = await connectMany(t, 1000);
    const results = await Promise.all(
      kiosks.map((k, i) =>
        Promise.all(
          Array.from({ length: 10 }, (_, j) =>
            k.request(t.vrs.box.publicKey, MUNICIPALITIES[(i + j) % 2]!.code),
          ),
        ),
      ),
    );
    const flat = results.flat();
    expect(flat).toHaveLength(10_000);
    const notOk = flat.filter((r) => r.reply.type !== 'issue.response' || !r.opened?.ok);
    expect(notOk.map((r) => (r.reply.type === 'issue.error' ? r.reply.code : r.opened))).toEqual([]);
    expect(kiosks.reduce((n, k) => n + k.unexpected, 0)).toBe(0);
    expect(t.relay.forwarder.pendingCount).toBe(0);
    const audit = await t.relay.control.audit.list(0, 20_000);
    expect(audit.filter((a) => a.kind === 'issue.answered')).toHaveLength(10_000);
    expect((await t.relay.control.audit.verify()).ok).toBe(true);
    for (const k of kiosks) k.close();
  }, 120_000);
});

describe('VRS side: timeouts, retries, lost links, breaker, late answers', () => {
  it('retries a timed-out request with the same id; VRS dedups; the kiosk gets one answer', async () => {
    const seen = new Set<string>();
    const t = await startTestRelay(
      { vrsTimeoutMs: 300, vrsMaxAttempts: 2 },
      { drop: (id) => (seen.has(id) ? false : (seen.add(id), true)) },
    );
    cleanups.push(() => t.stop());
    const [k] = await connectMany(t, 1);
    const r = await k!.request(t.vrs.box.publicKey, '131016');
    expect(r.opened).toEqual({ ok: true, answer: { outcome: 'no-record' } });
    expect(t.relay.metrics.value('relay_vrs_retries_total', { reason: 'RELAY_VRS_TIMEOUT' })).toBe(1);
    k!.close();
  });

  it('gives RELAY_VRS_TIMEOUT after the attempts, then the open breaker answers RELAY_VRS_UNAVAILABLE at once', async () => {
    const t = await startTestRelay(
      { vrsTimeoutMs: 200, vrsMaxAttempts: 2, breaker: { failureThreshold: 2, cooldownMs: 60_000 } },
      { drop: () => true },
    );
    cleanups.push(() => t.stop());
    const [k] = await connectMany(t, 1);
    expect((await k!.request(t.vrs.box.publicKey, '131016')).reply).toMatchObject({
      code: 'RELAY_VRS_TIMEOUT',
    });
    expect(t.relay.links[0]!.breaker.state).toBe('open');
    const before = t.vrs.requestsSeen;
    expect((await k!.request(t.vrs.box.publicKey, '131016')).reply).toMatchObject({
      code: 'RELAY_VRS_UNAVAILABLE',
    });
    expect(t.vrs.requestsSeen).toBe(before);
    k!.close();
  });

  it('moves pending requests to another endpoint when a link drops, and drops duplicate (late) answers', async () => {
    const seed = Buffer.alloc(32, 9).toString('base64');
    const relayKey = identityFromSeed(new Uint8Array(Buffer.from(seed, 'base64')), nodeCrypto).publicKey;
    const first = new FakeVrs({
      relayPublicKey: relayKey,
      municipalities: MUNICIPALITIES,
      delayMs: () => 400,
    });
    const second = new FakeVrs({
      relayPublicKey: relayKey,
      municipalities: MUNICIPALITIES,
      duplicateAnswers: true,
      box: first.box,
    });
    await first.listen();
    await second.listen();
    cleanups.push(
      () => first.close(),
      () => second.close(),
    );
    const dir = mkdtempSync(join(tmpdir(), 'relay-test-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const relay = await startRelay(
      {
        stateDir: dir,
        opsToken: 'x'.repeat(20),
        identitySeed: seed,
        vrsEndpoints: [
          { url: first.url, identityPublicKey: first.publicKey, name: 'first' },
          { url: second.url, identityPublicKey: second.publicKey, name: 'second' },
        ],
      },
      { log: createLogger('relay', () => undefined) },
    );
    cleanups.push(() => relay.stop());
    await waitUntil(() => relay.links.every((l) => l.ready && l.municipalities.size === 2));
    const identity = generateIdentity(nodeCrypto);
    await relay.control.kiosks.insert(keyId(identity.publicKey), null);
    const c = await TestKiosk.connect(relay.info.kiosk, relayKey, { identity });
    if (!c.ok) throw new Error('refused');
    const k = c.kiosk;
    await k.heartbeat(0);
    // Both endpoints belong to one VRS and share its box key.
    const pending = k.request(first.box.publicKey, '131016');
    await waitUntil(() => first.requestsSeen === 1); // went to "first", which delays
    first.dropLinks();
    const r = await pending;
    expect(r.reply.type === 'issue.error' ? r.reply.code : 'response').toBe('response');
    expect(r.opened).toEqual({ ok: true, answer: { outcome: 'no-record' } });
    expect(relay.metrics.value('relay_vrs_retries_total', { reason: 'RELAY_VRS_UNAVAILABLE' })).toBe(1);
    await waitUntil(() => relay.metrics.value('relay_vrs_late_answers_total', { endpoint: 'second' }) === 1);
    expect(k.unexpected).toBe(0);
    k.close();
  });
});
