/**
 * On demand only (not part of `npm run bench`): the issue's attack on the kiosk listener. About 21,000 slowloris
 * connections (partial `GET /kiosk`, one byte every 5 s, reconnecting when closed) from rotating 127.x sources,
 * spread over several attacker processes, against one relay process with its open-file limit (20,000 here, as in
 * the issue). Every 5 s it prints what the attackers hold, whether a legitimate kiosk completes its handshake and
 * whether the operations API answers, then the relay's counters.
 *
 *   npx tsx relay/testing/bench/slowloris-attack.ts
 *   ATTACK_CONNECTIONS (21000)  ATTACK_SOURCES (700)  ATTACK_PROCESSES (4)  ATTACK_SECONDS (30)  ATTACK_TICK_MS (5000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCrypto } from '../../../common/crypto-node.js';
import { generateIdentity, identityFromSeed, keyId } from '../../../protocol/index.js';
import { spawnRelay } from '../spawn-relay.js';
import { TestKiosk } from '../test-kiosk.js';
import { forkWorker, type Worker } from './fork.js';

const N = Number(process.env['ATTACK_CONNECTIONS'] ?? 21_000);
const SOURCES = Number(process.env['ATTACK_SOURCES'] ?? 700);
const PROCS = Number(process.env['ATTACK_PROCESSES'] ?? 4);
const SECONDS = Number(process.env['ATTACK_SECONDS'] ?? 30);
const TICK = Number(process.env['ATTACK_TICK_MS'] ?? 5000);
const TOKEN = 'attack-token-0123456789abcdef';
const SEED = Buffer.alloc(32, 42).toString('base64');
const relayKey = identityFromSeed(new Uint8Array(Buffer.from(SEED, 'base64')), nodeCrypto).publicKey;

const dir = mkdtempSync(join(tmpdir(), 'relay-attack-'));
const relay = await spawnRelay(
  { RELAY_STATE_DIR: dir, RELAY_OPS_TOKEN: TOKEN, RELAY_IDENTITY_SEED: SEED, LOG_LEVEL: 'warn' },
  [],
  { fileLimit: 20_000, startTimeoutMs: 300_000 },
);
const ops = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(relay.info.ops + path, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const workers: Worker[] = [];
try {
  const identity = generateIdentity(nodeCrypto);
  const code = (await ops('/api/enrollment-codes', { method: 'POST', body: '{}' })).body['code'];
  await fetch(relay.info.enroll, {
    method: 'POST',
    body: JSON.stringify({ code, publicKey: keyId(identity.publicKey) }),
  });
  const limits = (await ops('/api/status')).body['connectionLimits'];
  console.log(`relay ${relay.info.kiosk}, limits ${JSON.stringify(limits)}`);
  console.log(
    `attack: ${N} connections from ${SOURCES} sources in ${PROCS} processes, a byte every ${TICK} ms, ${SECONDS} s`,
  );

  const port = Number(new URL(relay.info.kiosk).port);
  const all = Array.from(
    { length: SOURCES },
    (_, i) => `127.${1 + ((i >> 16) & 255)}.${(i >> 8) & 255}.${(i & 255) + 1}`,
  );
  const perSource = Math.ceil(N / SOURCES);
  for (let p = 0; p < PROCS; p++) {
    const w = forkWorker('./slowloris-worker.ts');
    await w.next();
    w.send({ cmd: 'start', port, sources: all.filter((_, i) => i % PROCS === p), perSource, tickMs: TICK });
    await w.next();
    workers.push(w);
  }
  const t0 = Date.now();
  let kioskOk = 0;
  let kioskTries = 0;
  let opsOk = 0;
  let opsTries = 0;
  while (Date.now() - t0 < SECONDS * 1000) {
    const tick = Date.now();
    kioskTries++;
    const c = await TestKiosk.connect(relay.info.kiosk, relayKey, { identity });
    let served = false;
    if (c.ok) {
      served = (await c.kiosk.heartbeat(1, 5000).catch(() => undefined))?.type === 'heartbeat.ack';
      c.kiosk.close();
    }
    if (served) kioskOk++;
    opsTries++;
    const o = await ops('/api/status').catch(() => undefined);
    if (o?.status === 200) opsOk++;
    for (const w of workers) w.send({ cmd: 'count' });
    const counts = await Promise.all(
      workers.map((w) => w.next<{ open: number; connects: number; closed: number; longestMs: number }>()),
    );
    const sum = (k: 'open' | 'connects' | 'closed') => counts.reduce((a, x) => a + x[k], 0);
    console.log(
      `+${((Date.now() - t0) / 1000).toFixed(0)} s: attackers hold ${sum('open')} sockets (${sum('connects')} connects, ${sum('closed')} closed by the relay, longest life ${Math.max(...counts.map((x) => x.longestMs))} ms); kiosk handshake ${served ? 'ok' : `failed (${c.ok ? 'no ack' : c.code})`}; ops API ${o?.status ?? 'no answer'}; relay open ${(o?.body['connectionLimits'] as { open?: number } | undefined)?.open ?? '?'}`,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - tick))));
  }
  console.log(`kiosk handshakes: ${kioskOk}/${kioskTries}; ops API answers: ${opsOk}/${opsTries}`);
  const metrics = await (
    await fetch(`${relay.info.ops}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).text();
  console.log(
    metrics
      .split('\n')
      .filter((l) => /^relay_connections_|relay_alerts_total\{kind="(connection-limit|ban)"/.test(l))
      .join('\n'),
  );
  const bans = ((await ops('/api/bans')).body['bans'] as unknown[] | undefined)?.length ?? 0;
  const alerts = ((await ops('/api/alerts?limit=1000')).body['alerts'] as Array<{ kind: string }>).filter(
    (a) => a.kind === 'connection-limit',
  ).length;
  console.log(
    `source bans: ${bans}; connection-limit alerts: ${alerts}; relay log lines connections.limit: ${relay.stderr.filter((l) => l.includes('connections.limit')).length}`,
  );
} finally {
  for (const w of workers) await w.kill();
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
}
