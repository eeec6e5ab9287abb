import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openDb } from '../common/db.js';
import { migrate } from './store/schema.js';
import { OperatorStore, Role } from './store/operators.js';

export const OPERATOR_USAGE = `  operator add <name> --role R [--password-stdin]
                                       create an account (viewer, operator or admin) directly in the database
                                       (DATABASE_URL or --state-dir): how the first admin is made. Without
                                       --password-stdin a random password is generated and printed once
  operator reset <name> --role R [--password-stdin]   set role and password (ends its sessions)
  operator token <name> [--label L]    issue an API token for the account (printed once; only its hash is kept)
  operator disable <name>              disable an account (sessions end, tokens stop working)
  operator list                        accounts, roles, locks`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * `relay:cli operator …`: works on the database itself (no running relay needed), as the first admin must
 * exist before anyone can sign in. Every change is audited with the acting name `cli:<user>`.
 */
export async function operatorCommand(
  args: Array<string | undefined>,
  values: { role?: string; label?: string; 'password-stdin'?: boolean; 'state-dir'?: string },
): Promise<number> {
  const [sub, name] = args;
  const url = process.env['DATABASE_URL'];
  const stateDir = values['state-dir'] ?? process.env['RELAY_STATE_DIR'] ?? '.state/relay';
  const db = await openDb({ url, dataDir: url ? undefined : join(stateDir, 'db') });
  const by = `cli:${process.env['USER'] ?? 'unknown'}`;
  try {
    await migrate(db);
    const store = new OperatorStore(db);
    const out = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');
    switch (sub) {
      case 'add':
      case 'reset': {
        const role = Role.safeParse(values.role);
        if (name === undefined || !role.success)
          return fail('operator add <name> --role viewer|operator|admin');
        const generated = values['password-stdin'] !== true;
        const password = generated ? randomBytes(18).toString('base64url') : await readStdin();
        const done = await store.add(name, role.data, password, by, sub === 'reset');
        if (!done) return fail(`operator ${name} exists (use operator reset)`);
        out({ ok: true, name, role: role.data, ...(generated ? { password } : {}) });
        return 0;
      }
      case 'token': {
        if (name === undefined) return fail('operator token <name>');
        const token = await store.createToken(name, values.label ?? 'cli', by);
        if (token === undefined) return fail(`no active operator ${name}`);
        out({ ok: true, name, token });
        return 0;
      }
      case 'disable':
        if (name === undefined) return fail('operator disable <name>');
        out({ ok: await store.disable(name, by) });
        return 0;
      case 'list':
        out({ ok: true, operators: await store.list() });
        return 0;
      default:
        return fail(`unknown operator command: ${String(sub)}`);
    }
  } catch (err) {
    // zod refusals (a short password, a bad name) name the field, never the value.
    return fail(err instanceof Error ? err.message.slice(0, 300) : 'error');
  } finally {
    await db.close();
  }
}

function fail(msg: string): number {
  process.stderr.write(`relay:cli: ${msg}\n`);
  return 2;
}
