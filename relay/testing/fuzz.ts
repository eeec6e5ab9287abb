import fc from 'fast-check';
import WebSocket from 'ws';
import { nodeCrypto } from '../../common/crypto-node.js';
import { createInitiator, generateIdentity, isErrorCode, keyId, utf8 } from '../../protocol/index.js';
import type { Relay } from '../relay.js';
import { TestKiosk } from './test-kiosk.js';

/** Offers a hello header and reports the HTTP status and `x-relay-error` (101 when the upgrade happened). */
export function offerHello(
  url: string,
  hello: string,
): Promise<{ status: number | undefined; code: string | undefined }> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { headers: { 'x-channel-hello': hello } });
    } catch {
      return resolve({ status: undefined, code: 'INVALID_HEADER' }); // not sendable as a header at all
    }
    ws.on('unexpected-response', (_q, res) => {
      const c = res.headers['x-relay-error'];
      resolve({ status: res.statusCode, code: typeof c === 'string' ? c : undefined });
      ws.terminate();
    });
    ws.on('open', () => {
      resolve({ status: 101, code: undefined });
      ws.terminate();
    });
    ws.on('error', () => resolve({ status: undefined, code: undefined }));
  });
}

const headerSafe = fc.string({ minLength: 0, maxLength: 400 }).map((s) => s.replace(/[^\x21-\x7e]/g, 'A'));

/**
 * Hellos that are random, random base64url, or a valid hello with one character changed: none may get a
 * WebSocket, and every refusal is 401/403 with a documented error code.
 */
export async function fuzzHellos(relay: Relay, runs: number): Promise<void> {
  const identity = generateIdentity(nodeCrypto);
  await relay.control.kiosks.insert(keyId(identity.publicKey), null);
  const mutated = fc
    .tuple(fc.nat(), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'))
    .map(([pos, ch]) => {
      const hello = createInitiator({
        identity,
        peerPublicKey: relay.identity.publicKey,
        crypto: nodeCrypto,
      }).hello;
      const i = pos % hello.length;
      const swapped = hello[i] === ch ? (ch === 'A' ? 'B' : 'A') : ch;
      return hello.slice(0, i) + swapped + hello.slice(i + 1);
    });
  const b64 = fc
    .uint8Array({ minLength: 0, maxLength: 200 })
    .map((b) => Buffer.from(b).toString('base64url'));
  await fc.assert(
    fc.asyncProperty(fc.oneof(headerSafe, b64, mutated), async (hello) => {
      const r = await offerHello(relay.info.kiosk, hello);
      if (r.code === 'INVALID_HEADER') return true;
      return (r.status === 401 || r.status === 403) && isErrorCode(r.code);
    }),
    { numRuns: runs },
  );
}

/**
 * After a real handshake, frames that are random bytes, text, or validly sealed but arbitrary JSON: the
 * relay answers, or closes with 4400 and a documented code; it never crashes, and other kiosks carry on.
 */
export async function fuzzFrames(relay: Relay, runs: number): Promise<void> {
  const json = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc
      .record({
        v: fc.integer({ min: 0, max: 3 }),
        type: fc.constantFrom('issue.request', 'heartbeat', 'issue.outcome', 'municipalities.request', 'x'),
        requestId: fc.string(),
        seq: fc.integer(),
      })
      .map((v) => JSON.stringify(v)),
  );
  const frame = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => ({ kind: 'raw' as const, b })),
    json.map((s) => ({ kind: 'sealed' as const, b: utf8(s) })),
    fc.string({ maxLength: 50 }).map((s) => ({ kind: 'text' as const, s })),
  );
  await fc.assert(
    fc.asyncProperty(frame, async (f) => {
      const identity = generateIdentity(nodeCrypto);
      await relay.control.kiosks.insert(keyId(identity.publicKey), null);
      const c = await TestKiosk.connect(relay.info.kiosk, relay.identity.publicKey, { identity });
      if (!c.ok) return false;
      const k = c.kiosk;
      await k.heartbeat(0);
      if (f.kind === 'raw') k.sendRaw(f.b);
      else if (f.kind === 'text') k.sendRaw(f.s);
      else k.sendRaw(k.sealRaw(f.b));
      // Either the relay closes with a coded reason, or the session still answers a heartbeat.
      const alive = await Promise.race([
        k.heartbeat(1, 3000).then(
          () => true,
          () => false,
        ),
        k.closed.then(() => false),
      ]);
      if (!alive) {
        await k.closed;
        if (k.closeCode !== 4400 || !isErrorCode(k.closeReason)) return false;
      } else k.close();
      return true;
    }),
    { numRuns: runs },
  );
}
