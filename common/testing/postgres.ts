import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

/** A throwaway PostgreSQL server for tests, on loopback, in its own temporary folder. */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
  /**
   * Stops the server (fast shutdown: every connection is cut) and starts it again on the same port and
   * data; resolves when it accepts connections. Undefined for a server given by `TEST_DATABASE_URL`.
   */
  restart?: () => Promise<void>;
}

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  const v = versions[0];
  return v === undefined ? undefined : join(root, v, 'bin');
}

/** Why server-mode tests cannot run here, or undefined when they can. */
export function postgresUnavailableReason(): string | undefined {
  if (process.env['TEST_DATABASE_URL']) return undefined;
  if (findBinDir() === undefined) return 'PostgreSQL server binaries not found (apt-get install postgresql)';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return 'running as root and there is no postgres user to run the server';
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Uses `TEST_DATABASE_URL` when set; otherwise initialises and starts a private cluster (as the
 * `postgres` user when running as root) listening on 127.0.0.1 only, and removes it on `stop()`.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env['TEST_DATABASE_URL'];
  if (given) return { url: given, stop: async () => undefined };
  const bin = findBinDir();
  if (bin === undefined) throw new Error('PostgreSQL server binaries not found');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
      : spawnSync(cmd, args, { encoding: 'utf8' });
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const init = run(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'test',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    dir,
    '-F',
    '-c',
    'max_connections=300',
    '-c',
    'fsync=off',
  ];
  const launch = () =>
    asRoot
      ? spawn('runuser', ['-u', 'postgres', '--', join(bin, 'postgres'), ...args], { stdio: 'ignore' })
      : spawn(join(bin, 'postgres'), args, { stdio: 'ignore' });
  const url = `postgres://test@127.0.0.1:${port}/postgres`;
  const pg = await import('pg');
  const ready = async () => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const client = new pg.default.Client({ connectionString: url });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (err) {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error('PostgreSQL did not start', { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  /** The postmaster's pid (first line of `postmaster.pid`), or undefined when it is not running. */
  const postmaster = (): number | undefined => {
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const halt = (c: ReturnType<typeof launch>) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      // SIGINT to the postmaster itself: a fast shutdown, which cuts every connection. (runuser turns a
      // signal it receives into SIGTERM, a smart shutdown that waits for every client to leave, then
      // SIGKILLs postgres's parent after 2 s and leaves the server running.)
      const pid = postmaster();
      if (pid !== undefined) process.kill(pid, 'SIGINT');
      else c.kill('SIGINT');
      setTimeout(() => {
        const left = postmaster();
        if (left !== undefined) process.kill(left, 'SIGKILL');
        c.kill('SIGKILL');
      }, 10_000).unref();
    });
  let child = launch();
  await ready();
  return {
    url,
    async stop() {
      await halt(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt(child);
      child = launch();
      await ready();
    },
  };
}

/** Creates a fresh database on the server and returns its URL (one per test file keeps them apart). */
export async function createTestDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError('name: plain identifier expected');
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
