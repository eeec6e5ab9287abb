import { Readable } from 'node:stream';
import fc from 'fast-check';
import { nodeCrypto } from '../../../common/crypto-node.js';
import { generateIdentity, isErrorCode, keyId } from '../../../protocol/index.js';
import { CLUSTER_CHANNEL } from '../../../relay/cluster.js';
import { startTestRelay, type TestRelay } from '../../../relay/testing/harness.js';
import { verifyExport } from '../../../relay/verify-file.js';
import { anyJson, anyString, mutatedJson, mutatedText, nearJsonText } from '../lib/arbitraries.js';
import { expect, target, type FuzzSuite } from '../lib/target.js';

/** What one in-process HTTP exchange answered. */
interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/**
 * Sends one request through the relay's dedicated-line HTTP server (`POST /enroll` and its 404s) without a
 * socket: the server's own request listener gets a readable request and a recording response.
 */
function dedicatedLineRequest(
  t: TestRelay,
  req: { method: string; url: string; body: string; source: string },
): Promise<Answer> {
  return new Promise((resolve) => {
    let status = 0;
    let contentType = '';
    const incoming = Object.assign(Readable.from([Buffer.from(req.body, 'utf8')]), {
      method: req.method,
      url: req.url,
      headers: { 'content-type': 'application/json', host: '127.0.0.1' },
      socket: { remoteAddress: req.source },
    });
    const res = {
      headersSent: false,
      writeHead(s: number, headers?: Record<string, string | number>) {
        status = s;
        contentType = String(headers?.['content-type'] ?? '');
        this.headersSent = true;
        return this;
      },
      setHeader() {},
      end(text?: string) {
        resolve({ status, contentType, text: text ?? '' });
      },
    };
    t.relay.endpoint.server.emit('request', incoming, res);
  });
}

/** Checks the answer is JSON `{ ok: false, code }` with a documented code, or `{ ok: true, … }` below 400. */
function expectJsonAnswer(a: Answer, where: string): Record<string, unknown> {
  expect(a.status !== 500, `${where}: 500 ${a.text.slice(0, 200)}`);
  expect(a.status >= 200 && a.status < 500, `${where}: status ${a.status}`);
  expect(/^application\/json/.test(a.contentType), `${where}: content-type ${a.contentType}`);
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    throw new Error(`${where}: not JSON: ${a.text.slice(0, 100)}`);
  }
  expect(body !== null && typeof body === 'object', `${where}: not an object`);
  const b = body as Record<string, unknown>;
  if (a.status >= 400)
    expect(
      b['ok'] === false && isErrorCode(b['code']),
      `${where}: ${a.status} without a documented code: ${a.text.slice(0, 200)}`,
    );
  else expect(b['ok'] === true, `${where}: ${a.status} without ok: true`);
  return b;
}

/** A percent-encoded path segment from any string (lone surrogates become U+FFFD), or raw percent junk. */
const segment = fc.oneof(
  anyString(40).map((s) => Buffer.from(s, 'utf8').toString('hex').replace(/(..)/g, '%$1')),
  anyString(20).map((s) => s.replace(/[^A-Za-z0-9._~-]/g, '')),
  fc.constantFrom(
    '%',
    '%zz',
    '%ED%A0%80',
    '%C0%AF',
    '%00',
    '..',
    '.',
    '%2e%2e',
    '%2F',
    '-1',
    '0',
    '1',
    '99999999999999999999',
    'fleet',
    '131016',
    'source',
    'identity',
  ),
);
const queryValue = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '-1',
    '5000',
    '5001',
    '1e3',
    '0x10',
    ' 5',
    '1.5',
    'NaN',
    'Infinity',
    '9007199254740993',
    'true',
  ),
  segment,
);
const query = fc
  .array(fc.tuple(fc.constantFrom('after', 'limit', 'unacknowledged', 'x', 'after'), queryValue), {
    maxLength: 4,
  })
  .map((kv) => (kv.length === 0 ? '' : '?' + kv.map(([k, v]) => `${k}=${v}`).join('&')));

/**
 * The relay's boundaries towards hosts on the dedicated line, operators and other relay processes:
 * `POST /enroll` bodies, the operations API (queries, parameters, bodies, any Unicode, lone surrogates),
 * cluster NOTIFY payloads, and `verify-file` on an exported audit log. One relay on PGlite, in process.
 */
export const relaySuite: FuzzSuite = {
  name: 'relay',
  ids: ['relay-enroll', 'relay-ops', 'relay-cluster', 'relay-verify-file'],
  async open() {
    const t = await startTestRelay({
      handshakeTimeoutMs: 1000,
      ids: { sourceFailuresPerMinute: 1e9, identityFailuresPerMinute: 1e9, enrollFailuresPer10Min: 1e9 },
    });
    const ops = (method: string, path: string, headers: Record<string, string>, body?: string) =>
      t.relay.ops.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
    // Some state for the routes to find: enrolled kiosks, codes, alerts, audit records.
    const kioskIds = [0, 1, 2].map(() => keyId(generateIdentity(nodeCrypto).publicKey));
    for (const id of kioskIds) await t.relay.control.kiosks.insert(id, null);
    const codes: string[] = [];
    for (let i = 0; i < 3; i++)
      codes.push((await t.relay.control.createEnrollCode(`store-${i}`, undefined, 'fuzz')).code);
    await t.relay.control.raiseAlert({ kind: 'flapping', severity: 'info', source: '127.0.0.1' });
    const exported = await (await ops('GET', '/api/audit/export', t.opsHeaders)).text();
    const exportLines = exported.split('\n').filter((l) => l !== '');

    const enrollSeeds = fc.constantFrom<unknown>(
      ...codes.map((code) => ({
        code,
        publicKey: keyId(generateIdentity(nodeCrypto).publicKey),
        name: 'store-1',
      })),
      { code: 'ABCD-EFGH', publicKey: kioskIds[0] },
    );
    const bodySeeds = fc.constantFrom<unknown>(
      { reason: 'lost in transit' },
      { scope: 'fleet', reason: 'drill' },
      { scope: '131016', reason: 'drill' },
      { name: 'store-42', ttlMinutes: 60 },
      {},
    );
    const route = fc.oneof(
      fc.constantFrom(
        'GET /api/status',
        'GET /api/kiosks',
        'GET /api/enrollment-codes',
        'GET /api/stops',
        'GET /api/bans',
        'GET /api/alerts',
        'GET /api/audit',
        'GET /api/audit/verify',
        'GET /metrics',
        'POST /api/enrollment-codes',
        'POST /api/stops',
      ),
      fc
        .tuple(fc.constantFrom('GET', 'POST'), fc.oneof(fc.constantFrom(...kioskIds), segment))
        .map(([m, id]) => (m === 'GET' ? `GET /api/kiosks/${id}` : `POST /api/kiosks/${id}/revoke`)),
      segment.map((s) => `DELETE /api/stops/${s}`),
      fc.tuple(segment, segment).map(([a, b]) => `DELETE /api/bans/${a}/${b}`),
      segment.map((s) => `POST /api/alerts/${s}/ack`),
      fc
        .tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), segment)
        .map(([m, s]) => `${m} /api/${s}`),
    );
    const opsInput = fc.record({
      route,
      query,
      auth: fc.oneof(
        { weight: 8, arbitrary: fc.constant('good') },
        {
          weight: 1,
          arbitrary: fc.constantFrom('none', 'Bearer x', 'Basic abc', `Bearer ${'a'.repeat(3000)}`),
        },
      ),
      operator: fc.option(
        fc.oneof(
          fc.constant('op@example'),
          anyString(70).map((s) => s.replace(/[^\x21-\x7e]/g, 'x')),
        ),
        { nil: undefined },
      ),
      body: fc.option(nearJsonText(bodySeeds), { nil: undefined }),
    });

    const clusterSeeds = fc.constantFrom<unknown>(
      { type: 'kiosk', kioskId: kioskIds[1], status: 'active' },
      { type: 'ban', scope: 'source', subject: '127.9.9.9', until: 1e15 },
      { type: 'ban', scope: 'identity', subject: kioskIds[2], until: null },
      { type: 'stop', scope: '271004', stopped: false },
      {
        type: 'alert',
        alert: {
          id: 1,
          at: '2026-01-01T00:00:00.000Z',
          kind: 'x',
          severity: 'info',
          source: 's',
          kioskId: null,
          detail: {},
          acknowledged: false,
        },
      },
      { type: 'sessions', process: 'other', at: 1, kioskIds: [] },
    );
    let marker = false;
    const MARKER = 'fuzz-marker-subject';

    return {
      async close() {
        await t.stop();
      },
      targets: [
        target<{ body: string; source: number }>({
          id: 'relay-enroll',
          title: 'POST /enroll: never a 500; always JSON { ok, code } with a documented code',
          testRuns: 300,
          arb: fc.record({
            body: fc.oneof(nearJsonText(enrollSeeds), anyString(200), fc.constant('x'.repeat(5000))),
            source: fc.nat(255),
          }),
          async check({ body, source }) {
            const a = await dedicatedLineRequest(t, {
              method: 'POST',
              url: '/enroll',
              body,
              source: `127.0.3.${source}`,
            });
            // 413 for an oversize body is the one refusal that is not a 4xx of the schema: still coded JSON.
            expectJsonAnswer(a, 'POST /enroll');
          },
        }),
        target<{
          route: string;
          query: string;
          auth: string;
          operator: string | undefined;
          body: string | undefined;
        }>({
          id: 'relay-ops',
          title: 'operations API: never a 500; every error JSON { ok: false, code } with a documented code',
          testRuns: 400,
          arb: opsInput,
          async check(input) {
            const [method, path] = input.route.split(' ') as [string, string];
            const headers: Record<string, string> = { 'content-type': 'application/json' };
            if (input.auth === 'good') headers['authorization'] = t.opsHeaders['authorization']!;
            else if (input.auth !== 'none') headers['authorization'] = input.auth;
            if (input.operator !== undefined) headers['x-operator'] = input.operator;
            const body = method === 'GET' ? undefined : input.body;
            const res = await ops(method, path + input.query, headers, body);
            const text = await res.text();
            const where = `${method} ${path}${input.query}`;
            // The URL parser resolves dot segments ("/api/%2e%2e" is "/"): check what was actually routed.
            const routed = new URL(path, 'http://x').pathname;
            const a = { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
            if (res.status < 400 && (routed === '/metrics' || routed === '/')) return;
            if (res.status < 400 && routed === '/api/audit/verify') {
              expect(res.status !== 500, where);
              return;
            }
            expectJsonAnswer(a, where);
          },
        }),
        target<string>({
          id: 'relay-cluster',
          title:
            'cluster NOTIFY payloads: never throw in the listener; the relay keeps following the cluster',
          testRuns: 200,
          arb: fc.oneof(
            nearJsonText(clusterSeeds),
            mutatedJson(clusterSeeds).map((v) => JSON.stringify(v) ?? ''),
            anyJson().map((v) => JSON.stringify(v) ?? ''),
          ),
          async check(payload) {
            try {
              await t.relay.db.notify(CLUSTER_CHANNEL, payload);
            } catch {
              return; // PostgreSQL refused the payload itself (NUL, over 8000 bytes): it never reaches a relay.
            }
            marker = !marker;
            await t.relay.db.notify(
              CLUSTER_CHANNEL,
              JSON.stringify({
                type: 'ban',
                scope: 'identity',
                subject: MARKER,
                until: marker ? 1e15 : null,
              }),
            );
            const deadline = Date.now() + 10_000;
            while (t.relay.control.bans.isBanned('identity', MARKER) !== marker) {
              expect(Date.now() < deadline, 'the relay stopped following cluster events after this payload');
              await new Promise((r) => setImmediate(r));
            }
          },
        }),
        target<string>({
          id: 'relay-verify-file',
          title:
            'verify-file: any text is a verification result, never an exception; an altered log never verifies',
          testRuns: 1000,
          arb: fc.oneof(
            { weight: 4, arbitrary: mutatedText(fc.constant(exported)) },
            {
              weight: 3,
              arbitrary: fc
                .array(
                  fc.oneof(
                    fc.constantFrom(...exportLines),
                    mutatedJson(fc.constantFrom(...exportLines).map((l) => JSON.parse(l) as unknown)).map(
                      (v) => JSON.stringify(v) ?? '',
                    ),
                  ),
                  { maxLength: exportLines.length + 2 },
                )
                .map((ls) => ls.join('\n')),
            },
            { weight: 1, arbitrary: anyString(300) },
            { weight: 1, arbitrary: fc.constant(exported) },
          ),
          check(text) {
            const r = verifyExport(text);
            if (r.ok) {
              const lines = text.split('\n').filter((l) => l.trim() !== '');
              expect(r.count === lines.length, 'count is not the number of records');
              // Any log that verifies is a prefix of the real one, record by record (whitespace aside).
              lines.forEach((l, i) =>
                expect(
                  JSON.stringify(JSON.parse(l)) === JSON.stringify(JSON.parse(exportLines[i] ?? 'null')),
                  `record ${i + 1} altered yet verified`,
                ),
              );
            } else
              expect(
                r.code === 'RELAY_AUDIT_CHAIN_BROKEN' && Number.isInteger(r.seq) && r.seq >= 1,
                'bad failure result',
              );
          },
        }),
      ],
    };
  },
};
