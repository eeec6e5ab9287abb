/**
 * The center's side of the netline harness, run inside the relay's network namespace: the VRS stand-in (on
 * the namespace's own loopback, as LGWAN) and one relay whose kiosk listener is on the line's address.
 * Prints one JSON line `{ "relay": { kiosk, enroll, relayPublicKey, vrsBoxPublicKey, code } }` (an
 * enrollment code made on the operations API, which stays on this namespace's loopback), then answers
 * `{ "cmd": "audit" }` with the audit records' kinds and outcomes (no personal data is in them), until
 * stdin closes.
 * Environment: NETLINE_DIR (state folder), NETLINE_JLIS_DIR, NETLINE_KIOSK_HOST.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { nodeCrypto } from '../../common/crypto-node.js';
import { createLogger } from '../../common/log.js';
import { keyId } from '../../protocol/index.js';
import { loadIdentity } from '../../relay/identity-file.js';
import { startRelay } from '../../relay/relay.js';
import { AuditLog } from '../../relay/store/audit.js';
import { startVrs } from '../../vrs-sim/start.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} missing`);
  return v;
};
const dir = env('NETLINE_DIR');
const log = createLogger('netline-relay', () => undefined);
const relayDir = join(dir, 'relay');
const relayIdentity = loadIdentity(relayDir, undefined, nodeCrypto);
const vrs = await startVrs({
  stateDir: join(dir, 'vrs'),
  relayPublicKeys: [keyId(relayIdentity.publicKey)],
  jpki: { jlisStateDir: env('NETLINE_JLIS_DIR') },
  seed: { perMunicipality: 1, seed: 'netline', municipalities: ['131016'] },
  log: log.child('vrs'),
});
const opsToken = randomBytes(24).toString('base64url');
const relay = await startRelay(
  {
    stateDir: relayDir,
    opsToken,
    kioskHost: env('NETLINE_KIOSK_HOST'),
    vrsEndpoints: [{ url: vrs.info.lgwan, identityPublicKey: vrs.info.identityPublicKey }],
  },
  { log: log.child('relay') },
);
const created = await fetch(`${relay.info.ops}/api/enrollment-codes`, {
  method: 'POST',
  headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'netline-kiosk' }),
});
const { code } = (await created.json()) as { code?: string };
if (!created.ok || !code) throw new Error(`enrollment code not created (HTTP ${created.status})`);
const print = (m: unknown) => process.stdout.write(JSON.stringify(m) + '\n');
print({
  relay: {
    kiosk: relay.info.kiosk,
    enroll: relay.info.enroll,
    relayPublicKey: relay.info.identityPublicKey,
    vrsBoxPublicKey: vrs.info.boxPublicKey,
    code,
  },
});

const audit = new AuditLog(relay.db);
/**
 * The audit records; with `waitFor`, once a record of that kind is there or 5 min passed (TCP's retransmission backoff after a long cut) (the audit log is
 * in the database, which has no change event: it is read again every 100 ms until then).
 */
async function answerAudit(waitFor: string | null) {
  const deadline = Date.now() + 300_000;
  let list = await audit.list(0, 10_000);
  while (waitFor !== null && !list.some((e) => e.kind === waitFor) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    list = await audit.list(0, 10_000);
  }
  print({
    audit: list.map((e) => ({ kind: e.kind, requestId: e.requestId, outcome: e.detail['outcome'] ?? null })),
    sessions: relay.endpoint.sessions.size,
  });
}
createInterface({ input: process.stdin })
  .on('line', (line) => {
    const m = JSON.parse(line) as { cmd?: string; waitFor?: string | null };
    if (m.cmd === 'audit') void answerAudit(m.waitFor ?? null);
  })
  .on('close', () => {
    void relay
      .stop({ exiting: true })
      .then(() => vrs.stop())
      .finally(() => process.exit(0));
  });
