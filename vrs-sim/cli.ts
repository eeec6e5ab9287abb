import { X509Certificate } from 'node:crypto';
import { CodedError } from '../protocol/errors/index.js';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCliArgs } from '../common/cli-args.js';
import { openDb, type Db } from '../common/db.js';
import { auditCounts } from './audit.js';
import { MUNICIPALITIES, findMunicipality } from './municipalities.js';
import { seedStore } from './seed/seed.js';
import { parseRole, roleName, VrsService } from './service.js';
import { SigningKeys } from './certs/signing-keys.js';
import { CertificateIssuer } from './certs/issuer.js';
import { ensureVdsNcSigner } from './certs/pki.js';
import { KeyStore } from './storage/keystore.js';
import { ResidentStore, VrsStoreError } from './storage/store.js';
import { AlertCenter } from './alerts.js';
import { checkSigningKeysPresent } from './storage/signing-guard.js';
import { MIN_CELL, SUPPRESSION_NOTE, suppressSmallOutcomes } from './aggregates.js';
import {
  issueCredential,
  listCredentials,
  recordAccess,
  resolveCredential,
  revokeCredential,
} from './credentials.js';
import type { Role } from './service.js';
import { createLogger } from '../common/log.js';
import { startVrs, type RunningVrs } from './start.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Reads all of stdin (for `lookup`, so that a My Number never sits in argv or shell history). */
  readStdin(): Promise<string>;
}

/** Thrown for a command-line mistake; `main.ts` prints it and exits 2. */
export class CliError extends CodedError {}

export const USAGE = `usage: npm run vrs -- [command] [options]
  serve (default)             start the endpoint and the key directory; prints one JSON line
  seed                        seed residents (--per-municipality N --seed S [--municipality CODE ...])
  shred <municipality>        destroy the municipality's data key (crypto-shredding, irreversible)
  revoke <certificate-id>     revoke a certificate (its rid appears in the CRL)
  rotate-key                  new SHC signing key; the old one stays published
  counts --credential FILE    aggregate counts visible to the credential's role (small cells suppressed
                              for prefecture:CODE and national)
  audit --credential FILE     issuance outcome counts visible to the credential's role
  lookup --credential FILE    read a My Number on stdin, print that resident's record (municipality role,
                              own municipality only)
  credential issue --role ROLE --out FILE   (administrator) issue a role credential: writes FILE (0600)
  credential revoke ID | credential list
  alerts                      recent intrusion-detection alerts
  A role comes only from a credential (--credential FILE, or VRS_CREDENTIAL), never from an argument.
options: --state-dir DIR (VRS_STATE_DIR, default .state/vrs)  --db-url URL (DATABASE_URL)
  serve: --lgwan-host H --lgwan-port P --https-host H --https-port P --relay-key KEY (repeatable;
  VRS_RELAY_PUBLIC_KEYS, comma-separated) --seed S (VRS_SEED) --per-municipality N
  (VRS_SEED_PER_MUNICIPALITY, default 1000) --issuer-url URL
  J-LIS (JPKI authentication and the card issuer): --jlis-state-dir DIR (JLIS_STATE_DIR, default
  <--sim-state-dir DIR (SIM_STATE_DIR, default .state/sim)>/jlis), or each file: --jlis-ca FILE (JLIS_CA_CERT,
  the 利用者証明用 CA certificate), --jlis-crl FILE (JLIS_CRL, re-read every 30 s), --jlis-registry FILE
  (JLIS_REGISTRY, serial links), --kenhojo-issuer FILE (VRS_KENHOJO_ISSUER_CERT, the 券面事項入力補助AP
  issuer certificate); --card-ap CODE (repeatable; VRS_CARD_AP_MUNICIPALITIES, comma-separated): a
  municipality that authenticates with カードAP instead of JPKI`;

const PID_FILE = 'vrs.pid';

function serverRunning(stateDir: string): boolean {
  const file = join(stateDir, PID_FILE);
  if (!existsSync(file)) return false;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const intArg = (v: string | undefined, name: string, dflt: number): number => {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError('CLI_BAD_ARGUMENT', `${name}: non-negative integer expected`);
  return n;
};

const readable = (file: string, what: string, hint: string): string => {
  if (!existsSync(file)) throw new CliError('CLI_BAD_ARGUMENT', `no ${what} at ${file}: ${hint}`);
  return file;
};

/**
 * The J-LIS side of `serve`: the folder (flag, JLIS_STATE_DIR, or `<sim state>/jlis`) and each file, which a
 * flag or variable of its own overrides; every file must exist. The カードAP municipalities must be participating.
 */
function jlisOptions(
  values: Record<string, string | string[] | boolean | undefined>,
  env: Readonly<Record<string, string | undefined>>,
) {
  const str = (k: string): string | undefined => {
    const v = values[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const simDir = str('sim-state-dir') ?? env['SIM_STATE_DIR'] ?? join(process.cwd(), '.state', 'sim');
  const dir = str('jlis-state-dir') ?? env['JLIS_STATE_DIR'] ?? join(simDir, 'jlis');
  const hint = 'give --jlis-state-dir (or the file option), or start the simulator once so that it exists';
  const file = (flag: string, envName: string, name: string, what: string) =>
    readable(str(flag) ?? env[envName] ?? join(dir, name), what, hint);
  const caCertificateFile = file('jlis-ca', 'JLIS_CA_CERT', 'auth-ca.pem', 'J-LIS CA certificate');
  const crlFile = file('jlis-crl', 'JLIS_CRL', 'crl.der', 'J-LIS CRL');
  const registryFile = str('jlis-registry') ?? env['JLIS_REGISTRY'] ?? join(dir, 'registry.json');
  const kenhojo = file(
    'kenhojo-issuer',
    'VRS_KENHOJO_ISSUER_CERT',
    'kenhojo-signer.pem',
    'card issuer (券面事項入力補助AP) certificate',
  );
  const listed = values['card-ap'];
  const cardAp = [
    ...(Array.isArray(listed) ? listed : []),
    ...(env['VRS_CARD_AP_MUNICIPALITIES'] ?? '').split(','),
  ]
    .map((c) => c.trim())
    .filter((c) => c !== '');
  for (const c of cardAp)
    if (findMunicipality(c) === undefined)
      throw new CliError('CLI_BAD_ARGUMENT', `--card-ap: municipality ${c} is not participating`);
  // Certificates are checked here so that a wrong file is a clear error, not a stack trace.
  const certificate = (f: string, what: string): Uint8Array => {
    try {
      return new Uint8Array(new X509Certificate(readFileSync(f)).raw);
    } catch {
      throw new CliError('CLI_BAD_ARGUMENT', `${f} is not an X.509 certificate (${what})`);
    }
  };
  certificate(caCertificateFile, 'J-LIS CA certificate');
  return {
    kenhojoIssuerCertificate: certificate(kenhojo, 'card issuer certificate'),
    jpki: { caCertificateFile, crlFile, registryFile, cardApMunicipalities: cardAp },
  };
}

/** Runs one command; resolves with the exit code (serve resolves with the running VRS instead). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number | RunningVrs> {
  const { values, positionals } = parseCliArgs(argv, {
    'state-dir': { type: 'string' },
    'db-url': { type: 'string' },
    'lgwan-host': { type: 'string' },
    'lgwan-port': { type: 'string' },
    'https-host': { type: 'string' },
    'https-port': { type: 'string' },
    'issuer-url': { type: 'string' },
    'relay-key': { type: 'string', multiple: true },
    'sim-state-dir': { type: 'string' },
    'jlis-state-dir': { type: 'string' },
    'jlis-ca': { type: 'string' },
    'jlis-crl': { type: 'string' },
    'jlis-registry': { type: 'string' },
    'kenhojo-issuer': { type: 'string' },
    'card-ap': { type: 'string', multiple: true },
    seed: { type: 'string' },
    'per-municipality': { type: 'string' },
    municipality: { type: 'string', multiple: true },
    role: { type: 'string' },
    credential: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const env = io.env;
  const [command = 'serve', arg, arg2] = positionals;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const stateDir = values['state-dir'] ?? env['VRS_STATE_DIR'] ?? join(process.cwd(), '.state', 'vrs');
  const dbUrl = values['db-url'] ?? env['DATABASE_URL'];
  const seed = values.seed ?? env['VRS_SEED'] ?? 'vrs-sim';

  /** Opens the storage for an offline command; PGlite cannot be shared with a running server. */
  const withStore = async <T>(fn: (db: Db, store: ResidentStore) => Promise<T>): Promise<T> => {
    if (!dbUrl && serverRunning(stateDir))
      throw new CliError(
        'VRS_STATE_BUSY',
        'the VRS server is running on this embedded database; stop it first, or use DATABASE_URL',
      );
    const db = await openDb({ url: dbUrl, dataDir: join(stateDir, 'db') });
    // Key trouble found by a command is an alert like the server's (stored, and logged on stderr).
    const alerts = new AlertCenter({ db, log: createLogger('vrs-cli', (l) => io.err(l)) });
    try {
      const store = await ResidentStore.open(db, new KeyStore(join(stateDir, 'keys')), {
        alert: (kind, text) => alerts.raise(kind, { source: 'key-store', text }),
      });
      return await fn(db, store);
    } catch (err) {
      if (err instanceof VrsStoreError) throw new CliError(err.code, err.message);
      throw err;
    } finally {
      await alerts.flushed();
      await db.close();
    }
  };
  /** The role named by `--role`: only for `credential issue` (the administrator says what to issue). */
  const issuedRole = (): Role => {
    if (values.role === undefined) throw new CliError('CLI_BAD_ARGUMENT', '--role is required');
    try {
      return parseRole(values.role);
    } catch (err) {
      throw new CliError('CLI_BAD_ARGUMENT', (err as Error).message);
    }
  };
  /** The role the presented credential was issued for (the database's record), never an argument. */
  const credentialRole = async (db: Db): Promise<{ id: string; role: Role }> => {
    if (values.role !== undefined)
      throw new CliError(
        'CLI_BAD_ARGUMENT',
        '--role is not accepted: a role comes from a credential (--credential FILE or VRS_CREDENTIAL); ' +
          'an administrator issues one with `credential issue --role ROLE --out FILE`',
      );
    const path = values.credential ?? env['VRS_CREDENTIAL'];
    if (path === undefined || path === '')
      throw new CliError(
        'VRS_CREDENTIAL_INVALID',
        'a credential is required: --credential FILE (or VRS_CREDENTIAL)',
      );
    let text: string;
    try {
      if ((statSync(path).mode & 0o077) !== 0)
        throw new CliError(
          'VRS_CREDENTIAL_INVALID',
          'the credential file is readable by others: chmod 600 it',
        );
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError('VRS_CREDENTIAL_INVALID', 'the credential file cannot be read');
    }
    const r = await resolveCredential(db, text);
    if (!r.ok) throw new CliError(r.code, 'the credential is not valid (malformed, unknown or revoked)');
    return r;
  };
  const suppression = (role: Role) =>
    role.kind === 'municipality' ? {} : { suppression: { minimumCell: MIN_CELL, note: SUPPRESSION_NOTE } };

  switch (command) {
    case 'serve': {
      const relayKeys = [...(values['relay-key'] ?? []), ...(env['VRS_RELAY_PUBLIC_KEYS'] ?? '').split(',')]
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const jpki = jlisOptions(values, env);
      const vrs = await startVrs({
        stateDir,
        dbUrl,
        lgwanHost: values['lgwan-host'] ?? env['VRS_LGWAN_HOST'] ?? '127.0.0.1',
        lgwanPort: intArg(values['lgwan-port'] ?? env['VRS_LGWAN_PORT'], 'lgwan-port', 0),
        httpsHost: values['https-host'] ?? env['VRS_HTTPS_HOST'] ?? '127.0.0.1',
        httpsPort: intArg(values['https-port'] ?? env['VRS_HTTPS_PORT'], 'https-port', 0),
        ...(values['issuer-url'] ? { issuerUrl: values['issuer-url'] } : {}),
        relayPublicKeys: relayKeys,
        kenhojoIssuerCertificate: jpki.kenhojoIssuerCertificate,
        jpki: jpki.jpki,
        seed: {
          perMunicipality: intArg(
            values['per-municipality'] ?? env['VRS_SEED_PER_MUNICIPALITY'],
            'per-municipality',
            1000,
          ),
          seed,
        },
      });
      writeFileSync(join(stateDir, PID_FILE), `${process.pid}\n`);
      const stop = vrs.stop;
      vrs.stop = async () => {
        rmSync(join(stateDir, PID_FILE), { force: true });
        await stop();
      };
      if (relayKeys.length === 0)
        io.err(
          'vrs: no relay key pinned (--relay-key / VRS_RELAY_PUBLIC_KEYS): every connection will be refused',
        );
      io.out(JSON.stringify(vrs.info));
      return vrs;
    }
    case 'seed': {
      const codes = values.municipality ?? MUNICIPALITIES.map((m) => m.code);
      // Named municipalities must all be seedable (a shredded one is an error); "all" leaves those out.
      const named = values.municipality !== undefined;
      for (const c of codes)
        if (findMunicipality(c) === undefined)
          throw new CliError('CLI_BAD_ARGUMENT', `municipality ${c} is not participating`);
      const per = intArg(
        values['per-municipality'] ?? env['VRS_SEED_PER_MUNICIPALITY'],
        'per-municipality',
        1000,
      );
      return withStore(async (_db, store) => {
        const t0 = performance.now();
        const r = await seedStore(store, {
          perMunicipality: per,
          seed,
          ...(named ? { municipalities: codes } : {}),
        });
        const s = (performance.now() - t0) / 1000;
        io.out(
          JSON.stringify({
            inserted: r.inserted,
            skipped: r.skipped,
            refused: r.refused,
            seconds: Number(s.toFixed(2)),
            perSecond: Math.round(r.inserted / s),
          }),
        );
        return 0;
      });
    }
    case 'shred': {
      if (arg === undefined || findMunicipality(arg) === undefined)
        throw new CliError('CLI_BAD_ARGUMENT', 'shred: a participating municipality code is required');
      // The database's record is the authority: write it first when the database is reachable (with embedded
      // PGlite and the server running, the server records it when it next touches the municipality: the
      // tombstone left below tells it). Then the key is destroyed.
      let recorded = false;
      if (dbUrl || !serverRunning(stateDir)) {
        await withStore((_db, store) => store.markShredded(arg));
        recorded = true;
      }
      const destroyed = new KeyStore(join(stateDir, 'keys')).shred(arg);
      io.out(JSON.stringify({ municipality: arg, keyDestroyed: destroyed, shredded: true, recorded }));
      return 0;
    }
    case 'rotate-key': {
      // With embedded PGlite and the server running, the server checked the keys when it started.
      if (dbUrl || !serverRunning(stateDir)) await withStore((db) => checkSigningKeysPresent(db, stateDir));
      const kid = new SigningKeys(join(stateDir, 'signing')).rotate();
      io.out(JSON.stringify({ activeKid: kid }));
      return 0;
    }
    case 'revoke': {
      if (arg === undefined) throw new CliError('CLI_BAD_ARGUMENT', 'revoke: a certificate id is required');
      return withStore(async (db) => {
        await checkSigningKeysPresent(db, stateDir);
        const issuer = new CertificateIssuer({
          db,
          keys: new SigningKeys(join(stateDir, 'signing')),
          vdsnc: await ensureVdsNcSigner(stateDir),
          iss: () => '',
        });
        const revoked = await issuer.revoke(arg);
        io.out(JSON.stringify({ certificateId: arg, revoked }));
        return revoked ? 0 : 1;
      });
    }
    case 'counts':
      return withStore(async (db, store) => {
        const { id, role: r } = await credentialRole(db);
        await recordAccess(db, { credentialId: id, role: r, action: 'counts' });
        const municipalities = await new VrsService(store).as(r).counts();
        io.out(JSON.stringify({ role: roleName(r), ...suppression(r), municipalities }));
        return 0;
      });
    case 'audit':
      return withStore(async (db, store) => {
        const { id, role: r } = await credentialRole(db);
        await recordAccess(db, { credentialId: id, role: r, action: 'audit' });
        const scope = (await new VrsService(store).as(r).counts()).map((c) => c.municipality);
        const outcomes = await auditCounts(db, scope);
        io.out(
          JSON.stringify({
            role: roleName(r),
            ...suppression(r),
            outcomes: r.kind === 'municipality' ? outcomes : suppressSmallOutcomes(outcomes),
          }),
        );
        return 0;
      });
    case 'credential':
      return withStore(async (db) => {
        if (arg === 'issue') {
          const r = issuedRole();
          const out = values.out;
          if (out === undefined)
            throw new CliError('CLI_BAD_ARGUMENT', 'credential issue: --out FILE is required');
          if (existsSync(out)) throw new CliError('CLI_BAD_ARGUMENT', 'credential issue: --out file exists');
          const file = await issueCredential(db, r);
          writeFileSync(out, JSON.stringify(file) + '\n', { mode: 0o600, flag: 'wx' });
          io.out(JSON.stringify({ id: file.id, role: file.role, file: out }));
          return 0;
        }
        if (arg === 'revoke') {
          if (arg2 === undefined)
            throw new CliError('CLI_BAD_ARGUMENT', 'credential revoke: an id is required');
          const revoked = await revokeCredential(db, arg2);
          io.out(JSON.stringify({ id: arg2, revoked }));
          return revoked ? 0 : 1;
        }
        if (arg === 'list') {
          io.out(JSON.stringify(await listCredentials(db)));
          return 0;
        }
        throw new CliError('CLI_BAD_ARGUMENT', 'credential: issue, revoke or list');
      });
    case 'lookup':
      return withStore(async (db, store) => {
        const { id, role: r } = await credentialRole(db);
        if (r.kind !== 'municipality')
          throw new CliError('VRS_FORBIDDEN', 'lookup: only a municipality role sees residents');
        const myNumber = (await io.readStdin()).trim();
        if (!/^\d{12}$/.test(myNumber))
          throw new CliError('CLI_BAD_ARGUMENT', 'lookup: 12 digits expected on stdin');
        await recordAccess(db, { credentialId: id, role: r, action: 'lookup', municipality: r.code });
        const found = await new VrsService(store).as(r).findResident(r.code, myNumber);
        if (!found.ok) {
          io.out(JSON.stringify({ ok: false, code: found.code }));
          return 1;
        }
        io.out(JSON.stringify({ ok: true, record: found.record }));
        return 0;
      });
    case 'alerts':
      return withStore(async (db) => {
        const r = await db.query<{ detail: string }>(
          'SELECT detail FROM vrs_alert ORDER BY id DESC LIMIT 100',
        );
        for (const row of r.rows.reverse()) io.out(row.detail);
        return 0;
      });
    default:
      throw new CliError('CLI_BAD_ARGUMENT', `unknown command ${command}\n${USAGE}`);
  }
}
