import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../../common/crypto-node.js';
import WebSocket from 'ws';
import {
  createInitiator,
  generateIdentity,
  keyId,
  tweetnaclCrypto,
  x25519KeyPair,
} from '../../../protocol/index.js';
import { buildVectors } from '../../../protocol/testing/vectors.js';
import { startTestRelay, waitUntil, type TestRelay } from '../harness.js';
import {
  benchKioskCrypto,
  encodeClientFrame,
  LeanKiosk,
  OPCODE,
  parseResponseHead,
  ServerFrameDecoder,
  websocketAccept,
  type FrameError,
} from './lean-kiosk.js';

/** A server frame as `ws` sends it: FIN, opcode, unmasked length and payload. */
function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const n = payload.length;
  const head =
    n < 126
      ? Buffer.from([0, n])
      : n < 65_536
        ? Buffer.from([0, 126, n >> 8, n & 0xff])
        : Buffer.concat([
            Buffer.from([0, 127, 0, 0, 0, 0]),
            Buffer.from([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]),
          ]);
  head[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([head, payload]);
}

/** Reads one masked client frame back (the other side of `encodeClientFrame`). */
function readClientFrame(b: Buffer): { fin: boolean; opcode: number; payload: Buffer } {
  expect(b[1]! & 0x80).toBe(0x80); // masked
  let len = b[1]! & 0x7f;
  let p = 2;
  if (len === 126) {
    len = b.readUInt16BE(2);
    p = 4;
  } else if (len === 127) {
    len = Number(b.readBigUInt64BE(2));
    p = 10;
  }
  const mask = b.subarray(p, p + 4);
  const payload = Buffer.from(b.subarray(p + 4));
  expect(payload.length).toBe(len);
  for (let i = 0; i < len; i++) payload[i]! ^= mask[i & 3]!;
  return { fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload };
}

function decodeAll(
  chunks: Buffer[],
  maxPayload?: number,
): { frames: Array<[number, string]>; error: FrameError | undefined } {
  const d = new ServerFrameDecoder(maxPayload);
  const frames: Array<[number, string]> = [];
  for (const c of chunks) {
    const error = d.push(c, (op, p) => frames.push([op, p.toString('hex')]));
    if (error !== undefined) return { frames, error };
  }
  return { frames, error: undefined };
}

describe('client frames', () => {
  it('masks with the given key and uses the shortest length form', () => {
    for (const n of [0, 1, 5, 125, 126, 127, 1000, 65_535, 65_536]) {
      const payload = randomBytes(n);
      const mask = randomBytes(10);
      const f = encodeClientFrame(OPCODE.binary, payload, mask, 3);
      expect(f.length).toBe((n < 126 ? 2 : n < 65_536 ? 4 : 10) + 4 + n);
      expect(f.subarray(f.length - n - 4, f.length - n)).toEqual(mask.subarray(3, 7));
      expect(readClientFrame(f)).toEqual({ fin: true, opcode: OPCODE.binary, payload });
    }
  });
});

describe('server frame decoder', () => {
  const big = randomBytes(70_000);
  const stream = Buffer.concat([
    serverFrame(OPCODE.binary, Buffer.from('first')),
    serverFrame(OPCODE.ping, Buffer.alloc(0)),
    serverFrame(OPCODE.binary, randomBytes(126)),
    serverFrame(OPCODE.binary, randomBytes(300)),
    // A fragmented message with a ping between its fragments.
    serverFrame(OPCODE.binary, Buffer.from('frag-'), false),
    serverFrame(OPCODE.ping, Buffer.from('p')),
    serverFrame(OPCODE.continuation, Buffer.from('men'), false),
    serverFrame(OPCODE.continuation, Buffer.from('ted'), true),
    serverFrame(OPCODE.binary, big),
    serverFrame(OPCODE.close, Buffer.from([0x03, 0xe9, 0x41])),
  ]);
  const whole = decodeAll([stream], 80_000);

  it('decodes a stream in one piece', () => {
    expect(whole.error).toBeUndefined();
    expect(whole.frames.map(([op]) => op)).toEqual([
      OPCODE.binary,
      OPCODE.ping,
      OPCODE.binary,
      OPCODE.binary,
      OPCODE.ping,
      OPCODE.binary,
      OPCODE.binary,
      OPCODE.close,
    ]);
    expect(whole.frames[5]![1]).toBe(Buffer.from('frag-mented').toString('hex'));
    expect(whole.frames[6]![1]).toBe(big.toString('hex'));
  });

  it('gives the same frames however the bytes are split across reads', () => {
    // Every single split point, every 2-way split of the head of the stream, byte by byte, random chunks.
    for (let cut = 0; cut <= stream.length; cut += cut < 600 ? 1 : 997) {
      expect(decodeAll([stream.subarray(0, cut), stream.subarray(cut)], 80_000)).toEqual(whole);
    }
    for (let a = 0; a < 40; a++)
      for (let b = a; b < 80; b += 3)
        expect(decodeAll([stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)], 80_000)).toEqual(
          whole,
        );
    const head = stream.subarray(0, 1200);
    const tail = stream.subarray(1200);
    expect(decodeAll([...Array.from(head, (x) => Buffer.of(x)), tail], 80_000)).toEqual(whole);
    for (let round = 0; round < 50; round++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const n = 1 + Math.floor(Math.random() * (Math.random() < 0.5 ? 8 : 5000));
        chunks.push(stream.subarray(at, at + n));
        at += n;
      }
      expect(decodeAll(chunks, 80_000)).toEqual(whole);
    }
  });

  it('rejects what a server must not send', () => {
    const masked = serverFrame(OPCODE.binary, Buffer.from('x'));
    masked[1]! |= 0x80;
    const rsv = serverFrame(OPCODE.binary, Buffer.from('x'));
    rsv[0]! |= 0x40;
    const cases: Array<[Buffer, FrameError]> = [
      [masked, 'WS_PROTOCOL_ERROR'],
      [rsv, 'WS_PROTOCOL_ERROR'],
      [serverFrame(0x3, Buffer.from('x')), 'WS_PROTOCOL_ERROR'],
      [serverFrame(0xb, Buffer.from('x')), 'WS_PROTOCOL_ERROR'],
      [serverFrame(OPCODE.ping, Buffer.alloc(126)), 'WS_PROTOCOL_ERROR'],
      [serverFrame(OPCODE.ping, Buffer.alloc(1), false), 'WS_PROTOCOL_ERROR'],
      [serverFrame(OPCODE.continuation, Buffer.from('x')), 'WS_PROTOCOL_ERROR'],
      [
        Buffer.concat([
          serverFrame(OPCODE.binary, Buffer.from('a'), false),
          serverFrame(OPCODE.binary, Buffer.from('b')),
        ]),
        'WS_PROTOCOL_ERROR',
      ],
      [serverFrame(OPCODE.binary, Buffer.alloc(101)), 'WS_FRAME_TOO_LARGE'],
      [
        Buffer.concat([
          serverFrame(OPCODE.binary, Buffer.alloc(60), false),
          serverFrame(OPCODE.continuation, Buffer.alloc(60)),
        ]),
        'WS_FRAME_TOO_LARGE',
      ],
      [Buffer.from([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]), 'WS_FRAME_TOO_LARGE'],
    ];
    for (const [bytes, code] of cases) {
      expect(decodeAll([bytes], 100).error).toBe(code);
      // Also when the header arrives first: too large is known before the payload.
      expect(decodeAll([bytes.subarray(0, 10), bytes.subarray(10)], 100).error).toBe(code);
    }
  });
});

describe('upgrade response', () => {
  it('computes Sec-WebSocket-Accept as RFC 6455 §1.3 does', () => {
    expect(websocketAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('parses the status and lower-cased headers; refuses garbage', () => {
    expect(
      parseResponseHead('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nX-Relay-Error:  RELAY_BANNED '),
    ).toEqual({ status: 403, headers: { connection: 'close', 'x-relay-error': 'RELAY_BANNED' } });
    expect(parseResponseHead('HTTP/1.1 101\r\nUpgrade: websocket')?.status).toBe(101);
    expect(parseResponseHead('SSH-2.0-OpenSSH')).toBeUndefined();
    expect(parseResponseHead('HTTP/1.1 101 OK\r\nno colon here')).toBeUndefined();
  });
});

describe('benchKioskCrypto', () => {
  const committed: unknown = JSON.parse(
    readFileSync(new URL('../../../protocol/vectors/protocol-v1.json', import.meta.url), 'utf8'),
  );

  it('reproduces the committed protocol vectors byte for byte', async () => {
    expect(await buildVectors(benchKioskCrypto())).toEqual(committed);
  });

  it('signs as nodeCrypto does with kept keys for many kiosks, and notices a changed seed', () => {
    const c = benchKioskCrypto();
    const seeds = Array.from({ length: 70 }, () => nodeCrypto.randomBytes(32));
    for (let round = 0; round < 3; round++) {
      for (const [i, seed] of seeds.entries()) {
        const msg = nodeCrypto.randomBytes((i % 9) * 13 + round);
        const sig = c.ed25519Sign(seed, msg);
        expect(sig).toEqual(nodeCrypto.ed25519Sign(seed, msg));
        const pk = nodeCrypto.ed25519PublicKey(seed);
        expect(c.ed25519Verify(pk, msg, sig)).toBe(true);
        const bad = sig.slice();
        bad[i % 64] = bad[i % 64]! ^ 1;
        expect(c.ed25519Verify(pk, msg, bad)).toBe(false);
      }
    }
    const seed = seeds[0]!;
    const msg = Uint8Array.of(1, 2, 3);
    c.ed25519Sign(seed, msg);
    seed[0] = seed[0]! ^ 0x55; // the caller reused the array for another key
    expect(c.ed25519Sign(seed, msg)).toEqual(tweetnaclCrypto.ed25519Sign(seed, msg));
    const mine = x25519KeyPair(c);
    expect(mine.publicKey).toEqual(tweetnaclCrypto.x25519PublicKey(mine.secretKey));
    const peer = x25519KeyPair(tweetnaclCrypto);
    expect(c.x25519(mine.secretKey, peer.publicKey)).toEqual(
      tweetnaclCrypto.x25519(peer.secretKey, mine.publicKey),
    );
    expect(c.x25519(mine.secretKey, new Uint8Array(32))).toBeUndefined();
  });
});

describe('LeanKiosk against a real relay', () => {
  let t: TestRelay;
  const crypto = benchKioskCrypto();
  beforeAll(async () => {
    t = await startTestRelay({ pingIntervalMs: 150 });
  });
  afterAll(async () => {
    await t.stop();
  });

  const enrolled = async () => {
    const identity = generateIdentity(nodeCrypto);
    await t.relay.control.kiosks.insert(keyId(identity.publicKey), 'lean');
    return identity;
  };
  const connect = async (identity = generateIdentity(nodeCrypto)) =>
    LeanKiosk.connect(t.relay.info.kiosk, t.relay.identity.publicKey, { identity, crypto });

  it('connects, and its heartbeat is acknowledged with the same seq', async () => {
    const r = await connect(await enrolled());
    if (!r.ok) throw new Error(`refused: ${r.code}`);
    const k = r.kiosk;
    expect(await k.heartbeat(0)).toMatchObject({ type: 'heartbeat.ack', seq: 0 });
    expect(await k.heartbeat(7)).toMatchObject({ type: 'heartbeat.ack', seq: 7 });
    expect(t.relay.endpoint.sessions.get(k.kioskId)).toBeDefined();
    expect(k.unexpected).toBe(0);
    k.close();
    await k.closed;
    expect(k.closeCode).toBe(1000);
    await waitUntil(() => t.relay.endpoint.sessions.get(k.kioskId) === undefined);
  });

  it('takes the relay’s notice and close frame (revoked), and a pending heartbeat fails at once', async () => {
    const identity = await enrolled();
    const r = await connect(identity);
    if (!r.ok) throw new Error(`refused: ${r.code}`);
    const k = r.kiosk;
    await k.heartbeat(0);
    const res = await t.relay.ops.request(`/api/kiosks/${k.kioskId}/revoke`, {
      method: 'POST',
      headers: t.opsHeaders,
      body: JSON.stringify({ reason: 'test' }),
    });
    expect(res.status).toBe(200);
    await k.closed;
    expect([k.closeCode, k.closeReason, k.notices]).toEqual([4403, 'RELAY_KIOSK_REVOKED', 1]);
    await expect(k.heartbeat(1)).rejects.toThrow();
    expect(await connect(identity)).toEqual({ ok: false, status: 403, code: 'RELAY_KIOSK_REVOKED' });
  });

  it('gets the relay’s code when its key is unknown', async () => {
    expect(await connect()).toEqual({ ok: false, status: 403, code: 'RELAY_KIOSK_UNKNOWN' });
  });

  it('refuses a relay that is not the pinned key, after checking its answer', async () => {
    const r = await LeanKiosk.connect(t.relay.info.kiosk, generateIdentity(nodeCrypto).publicKey, {
      identity: await enrolled(),
      crypto,
    });
    expect(r).toEqual({ ok: false, status: 101, code: 'CHANNEL_UNKNOWN_PEER' });
  });

  it('answers the relay’s pings: the session outlives many ping intervals with no other traffic', async () => {
    const r = await connect(await enrolled());
    if (!r.ok) throw new Error(`refused: ${r.code}`);
    const k = r.kiosk;
    await k.heartbeat(0);
    const pongs = k.pongs;
    await waitUntil(() => k.pongs - pongs >= 4, 60_000); // four of the relay's pings answered, nothing else sent
    expect(k.isOpen).toBe(true);
    expect(await k.heartbeat(1)).toMatchObject({ type: 'heartbeat.ack', seq: 1 });
    k.terminate();
    await k.closed;
    expect(k.closeCode).toBe(1006);
  });

  it('(control) a client that does not answer pings is dropped within two intervals', async () => {
    const identity = await enrolled();
    const init = createInitiator({ identity, peerPublicKey: t.relay.identity.publicKey, crypto });
    const ws = new WebSocket(t.relay.info.kiosk, {
      autoPong: false,
      headers: { 'x-channel-hello': init.hello },
    });
    ws.on('error', () => undefined);
    ws.on('upgrade', (res) => {
      const r = init.accept(String(res.headers['x-channel-response']));
      if (r.ok) ws.once('open', () => ws.send(r.finished));
    });
    const opened = Date.now();
    const closed = await new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    expect(closed).toBe(1006); // terminated, no close frame
    expect(Date.now() - opened).toBeLessThan(1000);
  });

  it('reports an unreachable relay', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const r = await LeanKiosk.connect(`ws://127.0.0.1:${port}/kiosk`, t.relay.identity.publicKey, {
      identity: generateIdentity(nodeCrypto),
      crypto,
    });
    expect(r).toEqual({ ok: false, status: undefined, code: 'RELAY_UNREACHABLE', cause: 'ECONNREFUSED' });
  });
});

describe('LeanKiosk against servers that misbehave', () => {
  let server: Server;
  let onSocket: (s: Socket, request: string) => void = () => undefined;
  let url = '';
  beforeAll(async () => {
    server = createServer((s) => {
      let req = '';
      s.on('data', (c: Buffer) => {
        req += c.toString('latin1');
        if (req.includes('\r\n\r\n')) onSocket(s, req);
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/kiosk`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const attempt = () =>
    LeanKiosk.connect(url, generateIdentity(nodeCrypto).publicKey, {
      identity: generateIdentity(nodeCrypto),
      crypto: benchKioskCrypto(),
      handshakeTimeoutMs: 500,
    });

  it('sends a well-formed upgrade request, and refuses a 101 with the wrong Sec-WebSocket-Accept', async () => {
    let request = '';
    onSocket = (s, req) => {
      request = req;
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
      s.write(`Sec-WebSocket-Accept: ${websocketAccept('x')}\r\nx-channel-response: AAAA\r\n\r\n`);
    };
    expect(await attempt()).toEqual({ ok: false, status: 101, code: 'RELAY_UNREACHABLE' });
    const head = parseResponseHead(request.replace(/^GET \/kiosk HTTP\/1\.1/, 'HTTP/1.1 200').trimEnd());
    expect(head?.headers).toMatchObject({
      host: url.slice(5, -6),
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-version': '13',
    });
    expect(Buffer.from(head!.headers['sec-websocket-key']!, 'base64')).toHaveLength(16);
    expect(head!.headers['x-channel-hello']).toMatch(/^[A-Za-z0-9_-]{100,}$/);
  });

  it('connects from the given source address and port', async () => {
    let from = '';
    onSocket = (s) => {
      from = `${s.remoteAddress}:${s.remotePort}`;
      s.end('HTTP/1.1 403 Forbidden\r\nx-relay-error: RELAY_BANNED\r\nContent-Length: 0\r\n\r\n');
    };
    const localPort = 20_000 + Math.floor(Math.random() * 10_000);
    const r = await LeanKiosk.connect(url, generateIdentity(nodeCrypto).publicKey, {
      identity: generateIdentity(nodeCrypto),
      crypto: benchKioskCrypto(),
      localAddress: '127.0.0.7',
      localPort,
    });
    expect(r).toEqual({ ok: false, status: 403, code: 'RELAY_BANNED' });
    expect(from).toBe(`127.0.0.7:${localPort}`);
  });

  it('gives up on a server that never answers, and one whose status has no code', async () => {
    onSocket = () => undefined;
    expect(await attempt()).toEqual({
      ok: false,
      status: undefined,
      code: 'RELAY_UNREACHABLE',
      cause: 'ETIMEDOUT',
    });
    onSocket = (s) => s.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
    expect(await attempt()).toEqual({ ok: false, status: 503, code: 'RELAY_UNREACHABLE' });
  });
});
