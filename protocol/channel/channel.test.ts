import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nodeCrypto } from '../../common/crypto-node.js';
import { fromBase64Url, toBase64Url } from '../bytes.js';
import { tweetnaclCrypto, type CryptoProvider } from '../crypto.js';
import { generateIdentity } from '../identity.js';
import { acceptHello, createInitiator, MAX_FRAME_BYTES, type ChannelSession } from './index.js';

const kiosk = generateIdentity(tweetnaclCrypto);
const relay = generateIdentity(tweetnaclCrypto);

async function connect(
  opts: { initiatorCrypto?: CryptoProvider; responderCrypto?: CryptoProvider } = {},
): Promise<{ kiosk: ChannelSession; relay: ChannelSession }> {
  const init = createInitiator({
    identity: kiosk,
    peerPublicKey: relay.publicKey,
    crypto: opts.initiatorCrypto ?? tweetnaclCrypto,
  });
  const acc = await acceptHello(init.hello, {
    identity: relay,
    crypto: opts.responderCrypto ?? nodeCrypto,
    isKnownPeer: (pk) => toBase64Url(pk) === toBase64Url(kiosk.publicKey),
  });
  if (!acc.ok) throw new Error(acc.code);
  const done = init.accept(acc.response);
  if (!done.ok) throw new Error(done.code);
  const completed = acc.pending.complete(done.finished);
  if (!completed.ok) throw new Error(completed.code);
  return { kiosk: done.session, relay: completed.session };
}

const bytes = (s: string) => new TextEncoder().encode(s);

/** The kiosk starts a handshake with the pinned relay key (node:crypto). */
const kioskHello = (now?: () => number) =>
  createInitiator({
    identity: kiosk,
    peerPublicKey: relay.publicKey,
    crypto: nodeCrypto,
    ...(now ? { now } : {}),
  });
/** The relay answers a hello, taking any initiator as enrolled. */
const relayAccepts = (hello: string) =>
  acceptHello(hello, { identity: relay, crypto: nodeCrypto, isKnownPeer: () => true });

describe('channel handshake', () => {
  it('establishes a session both ways, across providers', async () => {
    for (const [a, b] of [
      [tweetnaclCrypto, nodeCrypto],
      [nodeCrypto, tweetnaclCrypto],
      [nodeCrypto, nodeCrypto],
    ] as const) {
      const s = await connect({ initiatorCrypto: a, responderCrypto: b });
      const o1 = s.relay.open(s.kiosk.seal(bytes('ping')));
      expect(o1).toEqual({ ok: true, plaintext: bytes('ping') });
      const o2 = s.kiosk.open(s.relay.seal(bytes('pong')));
      expect(o2).toEqual({ ok: true, plaintext: bytes('pong') });
    }
  });

  it('refuses an initiator that is not enrolled', async () => {
    const init = createInitiator({
      identity: generateIdentity(tweetnaclCrypto),
      peerPublicKey: relay.publicKey,
      crypto: nodeCrypto,
    });
    const acc = await acceptHello(init.hello, {
      identity: relay,
      crypto: nodeCrypto,
      isKnownPeer: () => false,
    });
    expect(acc).toEqual({ ok: false, code: 'CHANNEL_UNKNOWN_PEER' });
  });

  it('refuses a responder whose key is not the pinned one (a man in the middle)', async () => {
    const mitm = generateIdentity(tweetnaclCrypto);
    const init = kioskHello();
    const acc = await acceptHello(init.hello, {
      identity: mitm,
      crypto: nodeCrypto,
      isKnownPeer: () => true,
    });
    if (!acc.ok) throw new Error(acc.code);
    expect(init.accept(acc.response)).toEqual({ ok: false, code: 'CHANNEL_UNKNOWN_PEER' });
  });

  it('refuses a stale hello (clock skew beyond the limit)', async () => {
    const init = kioskHello(() => Date.now() - 10 * 60_000);
    const acc = await relayAccepts(init.hello);
    expect(acc).toEqual({ ok: false, code: 'CHANNEL_HANDSHAKE_FAILED' });
  });

  it('refuses an unknown version with its own code', async () => {
    const init = kioskHello();
    const raw = fromBase64Url(init.hello)!;
    raw[0] = 2;
    const acc = await relayAccepts(toBase64Url(raw));
    expect(acc).toEqual({ ok: false, code: 'PROTOCOL_UNSUPPORTED_VERSION' });
  });

  it('refuses a hello with any byte flipped', async () => {
    const init = kioskHello();
    const raw = fromBase64Url(init.hello)!;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: raw.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (i, x) => {
          const bad = raw.slice();
          bad[i]! ^= x;
          const acc = await relayAccepts(toBase64Url(bad));
          expect(acc.ok).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses a response with any byte flipped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (pos, x) => {
        const init = kioskHello();
        const acc = await relayAccepts(init.hello);
        if (!acc.ok) throw new Error(acc.code);
        const raw = fromBase64Url(acc.response)!;
        raw[pos % raw.length]! ^= x;
        expect(init.accept(toBase64Url(raw)).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a finished frame that was altered or sealed by someone else', async () => {
    const init = kioskHello();
    const acc = await relayAccepts(init.hello);
    if (!acc.ok) throw new Error(acc.code);
    const done = init.accept(acc.response);
    if (!done.ok) throw new Error(done.code);
    const bad = done.finished.slice();
    bad[bad.length - 1]! ^= 1;
    expect(acc.pending.complete(bad)).toEqual({ ok: false, code: 'CHANNEL_AUTH_FAILED' });
  });

  it('refuses a finished frame carrying a signature that is not over this transcript', async () => {
    const init = kioskHello();
    const acc = await relayAccepts(init.hello);
    if (!acc.ok) throw new Error(acc.code);
    const done = init.accept(acc.response);
    if (!done.ok) throw new Error(done.code);
    // Same keys, but a second "finished" with a garbage signature in place of the first frame.
    const forged = done.session.seal(new Uint8Array(64));
    const fresh = await relayAccepts(init.hello);
    if (!fresh.ok) throw new Error(fresh.code);
    expect(fresh.pending.complete(forged).ok).toBe(false);
  });

  it('a replayed hello with the recorded finished frame never becomes a session', async () => {
    const init = kioskHello();
    const acc = await relayAccepts(init.hello);
    if (!acc.ok) throw new Error(acc.code);
    const done = init.accept(acc.response);
    if (!done.ok) throw new Error(done.code);
    expect(acc.pending.complete(done.finished).ok).toBe(true);
    // An attacker on the line replays both; the responder's fresh ephemeral key makes new session keys.
    const replayed = await relayAccepts(init.hello);
    if (!replayed.ok) throw new Error(replayed.code);
    expect(replayed.pending.complete(done.finished)).toEqual({ ok: false, code: 'CHANNEL_AUTH_FAILED' });
  });

  it('a response made for one hello cannot complete another (the responder signs the initiator’s hello)', async () => {
    const first = kioskHello();
    const second = kioskHello();
    const acc = await relayAccepts(first.hello);
    if (!acc.ok) throw new Error(acc.code);
    expect(second.accept(acc.response).ok).toBe(false);
    expect(first.accept(acc.response).ok).toBe(true);
  });

  it('uses fresh ephemeral keys: two handshakes never share session keys', async () => {
    const a = await connect();
    const b = await connect();
    const frame = a.kiosk.seal(bytes('x'));
    expect(b.relay.open(frame)).toEqual({ ok: false, code: 'CHANNEL_AUTH_FAILED' });
  });
});

describe('sealed frames', () => {
  it('flip any byte of any frame: authentication fails and the channel closes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (pt, pos, x) => {
          const s = await connect({ initiatorCrypto: nodeCrypto });
          const frame = s.kiosk.seal(pt);
          const i = pos % frame.length;
          frame[i]! ^= x;
          const r = s.relay.open(frame);
          expect(r.ok).toBe(false);
          // A flip in the counter field can decode as another counter: still refused, as auth or replay.
          expect(['CHANNEL_AUTH_FAILED', 'CHANNEL_REPLAY']).toContain(r.ok ? '' : r.code);
          expect(s.relay.closed).toBe(true);
          expect(s.relay.open(s.kiosk.seal(pt))).toEqual({ ok: false, code: 'CHANNEL_CLOSED' });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('replay any earlier frame: refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), fc.nat(), async (n, pick) => {
        const s = await connect({ initiatorCrypto: nodeCrypto });
        const frames = Array.from({ length: n }, (_, i) => s.kiosk.seal(bytes(`m${i}`)));
        for (const f of frames) expect(s.relay.open(f).ok).toBe(true);
        expect(s.relay.open(frames[pick % n]!)).toEqual({ ok: false, code: 'CHANNEL_REPLAY' });
      }),
      { numRuns: 40 },
    );
  });

  it('refuses reordered frames', async () => {
    const s = await connect();
    const f0 = s.kiosk.seal(bytes('a'));
    const f1 = s.kiosk.seal(bytes('b'));
    expect(s.relay.open(f1)).toEqual({ ok: false, code: 'CHANNEL_REPLAY' });
    expect(s.relay.open(f0)).toEqual({ ok: false, code: 'CHANNEL_CLOSED' });
  });

  it('refuses truncated frames', async () => {
    const s = await connect();
    const f = s.kiosk.seal(bytes('hello'));
    expect(s.relay.open(f.subarray(0, f.length - 1))).toEqual({ ok: false, code: 'CHANNEL_AUTH_FAILED' });
    const s2 = await connect();
    expect(s2.relay.open(new Uint8Array(10))).toEqual({ ok: false, code: 'CHANNEL_AUTH_FAILED' });
  });

  it('refuses a frame reflected back to its sender', async () => {
    const s = await connect();
    const f = s.kiosk.seal(bytes('to relay'));
    expect(s.kiosk.open(f).ok).toBe(false);
  });

  it('refuses oversized frames', async () => {
    const s = await connect();
    expect(s.relay.open(new Uint8Array(MAX_FRAME_BYTES + 1))).toEqual({
      ok: false,
      code: 'CHANNEL_FRAME_TOO_LARGE',
    });
    expect(() => s.kiosk.seal(new Uint8Array(MAX_FRAME_BYTES))).toThrow(RangeError);
  });

  it('refuses to seal after close', async () => {
    const s = await connect();
    s.kiosk.close();
    expect(() => s.kiosk.seal(bytes('x'))).toThrow(expect.objectContaining({ code: 'CHANNEL_CLOSED' }));
  });
});
