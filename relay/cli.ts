import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCliArgs } from '../common/cli-args.js';
import { openDb } from '../common/db.js';
import { AuditLog } from './store/audit.js';
import { OPERATOR_USAGE, operatorCommand, syntheticFleetCommand } from './operator-cli.js';
import { verifyExport } from './verify-file.js';

const USAGE = `relay:cli — operate the relay through its operations API

  npm run relay:cli -- <command> [options]
  (RELAY_OPS_URL and RELAY_OPS_TOKEN = your API token from "operator token", or --ops URL --token TOKEN)

  status                               relay status, VRS links and breakers
  enroll-code [--name N] [--ttl M] [--store S] [--municipality 131016]
                                       create a one-time enrollment code (M minutes, default 60) for
                                       a kiosk in store S of the municipality (JIS X 0402 code)
  codes                                pending enrollment codes (without the codes)
  kiosks                               enrolled kiosks (online = has a session on the process asked)
  kiosk <kioskId>                      one kiosk, with its last device health
  revoke <kioskId> --reason R          revoke a kiosk (its open session is closed at once, on every process)
  stop <fleet|municipality> --reason R kill switch: stop issuance
  resume <fleet|municipality>          lift a stop
  stops                                current stops
  alerts [--unack]                     recent alerts
  ack <alertId>                        acknowledge an alert
  bans                                 current bans
  unban <source|identity> <subject>    lift a ban
  audit-export                         the whole audit log as NDJSON on stdout
  audit-verify                         the relay walks its audit chain
  verify-file <file.ndjson>            walk an exported audit log offline
  verify-db                            walk the chain directly in the database (DATABASE_URL or --state-dir)
  metrics                              Prometheus text
${OPERATOR_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, {
    ops: { type: 'string' },
    token: { type: 'string' },
    operator: { type: 'string' },
    name: { type: 'string' },
    ttl: { type: 'string' },
    store: { type: 'string' },
    municipality: { type: 'string' },
    reason: { type: 'string' },
    unack: { type: 'boolean' },
    'state-dir': { type: 'string' },
    role: { type: 'string' },
    label: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    count: { type: 'string' },
    hold: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  const [cmd, a1, a2] = positionals;
  if (cmd === undefined || values.help) {
    process.stdout.write(USAGE + '\n');
    return cmd === undefined && !values.help ? 2 : 0;
  }
  if (cmd === 'verify-file') {
    if (a1 === undefined) return usage('verify-file <file>');
    return print(verifyExport(readFileSync(a1, 'utf8')));
  }
  if (cmd === 'operator') return operatorCommand([a1, a2], values);
  if (cmd === 'synthetic-fleet') return syntheticFleetCommand(values);
  if (cmd === 'verify-db') {
    const url = process.env['DATABASE_URL'];
    const stateDir = values['state-dir'] ?? process.env['RELAY_STATE_DIR'] ?? '.state/relay';
    const db = await openDb({ url, dataDir: url ? undefined : join(stateDir, 'db') });
    try {
      return print(await new AuditLog(db).verify());
    } finally {
      await db.close();
    }
  }

  const base = values.ops ?? process.env['RELAY_OPS_URL'];
  const token = values.token ?? process.env['RELAY_OPS_TOKEN'];
  if (!base || !token) return usage('set RELAY_OPS_URL and RELAY_OPS_TOKEN (or --ops and --token)');
  const call = async (method: string, path: string, body?: unknown): Promise<number> => {
    const res = await fetch(new URL(path, base), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(values.operator ? { 'x-operator': values.operator } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
    return res.ok ? 0 : 1;
  };
  const id = (v: string | undefined, what: string) => {
    if (v === undefined) throw new UsageError(what);
    return encodeURIComponent(v);
  };
  try {
    switch (cmd) {
      case 'status':
        return await call('GET', '/api/status');
      case 'enroll-code':
        return await call('POST', '/api/enrollment-codes', {
          ...(values.name ? { name: values.name } : {}),
          ...(values.ttl ? { ttlMinutes: Number(values.ttl) } : {}),
          ...(values.store ? { store: values.store } : {}),
          ...(values.municipality ? { municipality: values.municipality } : {}),
        });
      case 'codes':
        return await call('GET', '/api/enrollment-codes');
      case 'kiosks':
        return await call('GET', '/api/kiosks');
      case 'kiosk':
        return await call('GET', `/api/kiosks/${id(a1, 'kiosk <kioskId>')}`);
      case 'revoke':
        return await call('POST', `/api/kiosks/${id(a1, 'revoke <kioskId> --reason R')}/revoke`, {
          reason: values.reason ?? '',
        });
      case 'stop':
        return await call('POST', '/api/stops', { scope: a1 ?? '', reason: values.reason ?? '' });
      case 'resume':
        return await call('DELETE', `/api/stops/${id(a1, 'resume <scope>')}`);
      case 'stops':
        return await call('GET', '/api/stops');
      case 'alerts':
        return await call('GET', `/api/alerts${values.unack ? '?unacknowledged=true' : ''}`);
      case 'ack':
        return await call('POST', `/api/alerts/${id(a1, 'ack <alertId>')}/ack`);
      case 'bans':
        return await call('GET', '/api/bans');
      case 'unban':
        return await call(
          'DELETE',
          `/api/bans/${id(a1, 'unban <scope> <subject>')}/${id(a2, 'unban <scope> <subject>')}`,
        );
      case 'audit-export':
        return await call('GET', '/api/audit/export');
      case 'audit-verify':
        return await call('GET', '/api/audit/verify');
      case 'metrics':
        return await call('GET', '/metrics');
      default:
        return usage(`unknown command: ${cmd}`);
    }
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    process.stderr.write(
      `relay:cli: ${err instanceof Error ? err.message : String(err)} (code RELAY_UNREACHABLE)\n`,
    );
    return 1;
  }
}

class UsageError extends Error {}

function usage(msg: string): number {
  process.stderr.write(`relay:cli: ${msg}\n\n${USAGE}\n`);
  return 2;
}

function print(v: { ok: boolean }): number {
  process.stdout.write(JSON.stringify(v) + '\n');
  return v.ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
