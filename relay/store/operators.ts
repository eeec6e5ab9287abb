import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { text } from '../../protocol/index.js';
import type { Db } from '../../common/db.js';
import { appendInTx } from './audit.js';
import { VerifiedCache } from './operator-cache.js';

export const Role = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof Role>;
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
/** True when `role` may do what `needed` may. */
export const roleAllows = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

export const OperatorName = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits, . _ @ -');
export const Password = text(256).min(12, 'at least 12 characters');

/** Who is calling: from a dashboard session (cookie + CSRF token) or a per-operator API token. */
export interface Principal {
  name: string;
  role: Role;
  via: 'session' | 'token';
  /** The session's synchronizer CSRF token (sessions only). */
  csrf?: string;
  sessionHash?: string;
  /**
   * Answered from this process's memory because the database is unreachable (`VerifiedCache`): read-only,
   * the API refuses every change with `RELAY_DB_UNAVAILABLE`.
   */
  degraded?: boolean;
}

export interface SessionPolicy {
  /** A session unused this long is over (default 15 min). */
  idleMs: number;
  /** A session is over this long after login, used or not (default 12 h, one shift). */
  absoluteMs: number;
  /** Failed logins in a row before the account locks (default 3). */
  lockAfter: number;
  /** First lock length; it doubles with every further failure (default 30 s), up to `maxLockMs` (1 h). */
  lockMs: number;
  maxLockMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 15 * 60_000,
  absoluteMs: 12 * 3600_000,
  lockAfter: 3,
  lockMs: 30_000,
  maxLockMs: 3600_000,
};

export type LoginResult =
  | { ok: true; sessionId: string; csrf: string; name: string; role: Role; expiresAt: string }
  | { ok: false; code: 'RELAY_OPS_LOGIN_FAILED' }
  | { ok: false; code: 'RELAY_OPS_LOCKED'; retryAfterMs: number; lockedNow: boolean; failures: number };

/** Secrets (session ids, API tokens) are stored as SHA-256 only: a database dump opens no session. */
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const secret = (): string => randomBytes(32).toString('base64url');

// A hash to verify against when the name is unknown, so that answer takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

interface OperatorRow {
  name: string;
  role: Role;
  password_hash: string;
  disabled_at: Date | string | null;
  failed_logins: number;
  locked_until: Date | string | null;
}

/**
 * Operator accounts (argon2id password hashes, `@node-rs/argon2`'s defaults: 19 MiB, 2 passes, the OWASP
 * minimum), their dashboard sessions and their API tokens, all in the database so every relay process of
 * a cluster serves every operator. Every change is audited in the same transaction, with the operator's name.
 */
export class OperatorStore {
  readonly #db: Db;
  readonly #now: () => number;
  readonly policy: SessionPolicy;
  /** Sessions and tokens verified recently, honoured read-only while the database is unreachable. */
  readonly verified: VerifiedCache;
  /**
   * Called after an operator's access was taken away or changed here (disabled, replaced, logged out), so
   * the other relay processes drop what they remember of it (the ops app publishes a cluster notice).
   */
  onRevoked: (operator: string) => void = () => undefined;

  constructor(db: Db, now: () => number = Date.now, policy: Partial<SessionPolicy> = {}) {
    this.#db = db;
    this.#now = now;
    this.policy = { ...DEFAULT_SESSION_POLICY, ...policy };
    this.verified = new VerifiedCache(now, this.policy.idleMs);
  }

  #revoked(operator: string): void {
    this.verified.forgetOperator(operator);
    this.onRevoked(operator);
  }

  #date(offsetMs = 0): Date {
    return new Date(this.#now() + offsetMs);
  }

  /** Creates an account (or, with `replace`, sets its role and password). */
  async add(name: string, role: Role, password: string, by: string, replace = false): Promise<boolean> {
    OperatorName.parse(name);
    Role.parse(role);
    Password.parse(password);
    const passwordHash = await hash(password);
    const added = await this.#db.transaction(async (tx) => {
      const r = await tx.query(
        `INSERT INTO relay_operators (name, role, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO ${replace ? 'UPDATE SET role = $2, password_hash = $3, failed_logins = 0, locked_until = NULL, disabled_at = NULL' : 'NOTHING'}`,
        [name, role, passwordHash],
      );
      if (r.affectedRows === 0) return false;
      if (replace) await tx.query('DELETE FROM relay_operator_sessions WHERE operator = $1', [name]);
      await appendInTx(
        tx,
        [{ kind: 'operator.added', detail: { by, operator: name, role, replace } }],
        this.#date(),
      );
      return true;
    });
    if (added && replace) this.#revoked(name);
    return added;
  }

  async list(): Promise<Array<{ name: string; role: Role; disabled: boolean; lockedUntil: string | null }>> {
    const r = await this.#db.query<OperatorRow>('SELECT * FROM relay_operators ORDER BY name');
    return r.rows.map((o) => ({
      name: o.name,
      role: o.role,
      disabled: o.disabled_at !== null,
      lockedUntil: o.locked_until === null ? null : new Date(o.locked_until).toISOString(),
    }));
  }

  async disable(name: string, by: string): Promise<boolean> {
    const done = await this.#db.transaction(async (tx) => {
      const r = await tx.query(
        'UPDATE relay_operators SET disabled_at = COALESCE(disabled_at, $2) WHERE name = $1',
        [name, this.#date().toISOString()],
      );
      if (r.affectedRows === 0) return false;
      await tx.query('DELETE FROM relay_operator_sessions WHERE operator = $1', [name]);
      await tx.query(
        'UPDATE relay_operator_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE operator = $1',
        [name, this.#date().toISOString()],
      );
      await appendInTx(tx, [{ kind: 'operator.disabled', detail: { by, operator: name } }], this.#date());
      return true;
    });
    if (done) this.#revoked(name);
    return done;
  }

  /**
   * Checks a password and opens a session. After `lockAfter` failures in a row the account locks for
   * `lockMs`, doubling with each further failure; while locked no password is checked at all.
   */
  async login(name: string, password: string, source: string): Promise<LoginResult> {
    const now = this.#date();
    const found = OperatorName.safeParse(name).success
      ? (await this.#db.query<OperatorRow>('SELECT * FROM relay_operators WHERE name = $1', [name])).rows[0]
      : undefined;
    if (found === undefined || found.disabled_at !== null) {
      dummyHash ??= hash(secret());
      await verify(await dummyHash, password).catch(() => false);
      await this.#db.transaction((tx) =>
        appendInTx(
          tx,
          [{ kind: 'operator.login-failed', detail: { operator: null, source, reason: 'unknown' } }],
          now,
        ),
      );
      return { ok: false, code: 'RELAY_OPS_LOGIN_FAILED' };
    }
    if (found.locked_until !== null && new Date(found.locked_until).getTime() > now.getTime()) {
      return {
        ok: false,
        code: 'RELAY_OPS_LOCKED',
        retryAfterMs: new Date(found.locked_until).getTime() - now.getTime(),
        lockedNow: false,
        failures: found.failed_logins,
      };
    }
    const good = await verify(found.password_hash, password).catch(() => false);
    if (!good) {
      const failures = found.failed_logins + 1;
      const p = this.policy;
      const lockMs =
        failures >= p.lockAfter ? Math.min(p.maxLockMs, p.lockMs * 2 ** (failures - p.lockAfter)) : 0;
      const lockedUntil = lockMs > 0 ? new Date(now.getTime() + lockMs) : null;
      await this.#db.transaction(async (tx) => {
        await tx.query('UPDATE relay_operators SET failed_logins = $2, locked_until = $3 WHERE name = $1', [
          name,
          failures,
          lockedUntil?.toISOString() ?? null,
        ]);
        await appendInTx(
          tx,
          [
            {
              kind: 'operator.login-failed',
              detail: { operator: name, source, failures, lockedUntil: lockedUntil?.toISOString() ?? null },
            },
          ],
          now,
        );
      });
      if (lockedUntil === null) return { ok: false, code: 'RELAY_OPS_LOGIN_FAILED' };
      return { ok: false, code: 'RELAY_OPS_LOCKED', retryAfterMs: lockMs, lockedNow: true, failures };
    }
    const sessionId = secret();
    const csrf = secret();
    const expiresAt = new Date(now.getTime() + this.policy.absoluteMs).toISOString();
    await this.#db.transaction(async (tx) => {
      await tx.query('UPDATE relay_operators SET failed_logins = 0, locked_until = NULL WHERE name = $1', [
        name,
      ]);
      await tx.query(
        `INSERT INTO relay_operator_sessions (id_hash, operator, csrf, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)`,
        [sha(sessionId), name, csrf, now.toISOString(), expiresAt],
      );
      await appendInTx(tx, [{ kind: 'operator.login', detail: { operator: name, source } }], now);
    });
    return { ok: true, sessionId, csrf, name, role: found.role, expiresAt };
  }

  /**
   * The operator behind a session cookie, or undefined when there is none, it is over (idle or absolute
   * expiry, on this store's clock) or its account was disabled. Using a session moves its idle deadline.
   */
  async session(sessionId: string): Promise<Principal | undefined> {
    if (sessionId.length === 0 || sessionId.length > 128) return undefined;
    const now = this.#date();
    const idHash = sha(sessionId);
    const key = `s:${idHash}`;
    let r;
    try {
      r = await this.#db.query<{
        operator: string;
        role: Role;
        csrf: string;
        last_seen_at: Date | string;
        expires_at: Date | string;
      }>(
        `SELECT s.operator, o.role, s.csrf, s.last_seen_at, s.expires_at FROM relay_operator_sessions s
           JOIN relay_operators o ON o.name = s.operator
          WHERE s.id_hash = $1 AND o.disabled_at IS NULL`,
        [idHash],
      );
    } catch (err) {
      // The database is unreachable: a session verified here recently is honoured, read-only.
      const p = this.verified.recall(key);
      if (p !== undefined) return p;
      throw err;
    }
    const s = r.rows[0];
    if (s === undefined) {
      this.verified.forget(key);
      return undefined;
    }
    const idleOver = new Date(s.last_seen_at).getTime() + this.policy.idleMs <= now.getTime();
    const absoluteOver = new Date(s.expires_at).getTime() <= now.getTime();
    if (idleOver || absoluteOver) {
      this.verified.forget(key);
      await this.#db.query('DELETE FROM relay_operator_sessions WHERE id_hash = $1', [idHash]);
      return undefined;
    }
    await this.#db.query('UPDATE relay_operator_sessions SET last_seen_at = $2 WHERE id_hash = $1', [
      idHash,
      now.toISOString(),
    ]);
    const p: Principal = {
      name: s.operator,
      role: s.role,
      via: 'session',
      csrf: s.csrf,
      sessionHash: idHash,
    };
    this.verified.remember(key, p, new Date(s.expires_at).getTime());
    return p;
  }

  async logout(p: Principal, source: string): Promise<void> {
    if (p.sessionHash === undefined) return;
    this.verified.forget(`s:${p.sessionHash}`);
    await this.#db.transaction(async (tx) => {
      await tx.query('DELETE FROM relay_operator_sessions WHERE id_hash = $1', [p.sessionHash]);
      await appendInTx(tx, [{ kind: 'operator.logout', detail: { operator: p.name, source } }], this.#date());
    });
  }

  /** Issues an API token for `operator` (shown once; only its hash is kept). */
  async createToken(operator: string, label: string, by: string): Promise<string | undefined> {
    const token = `rot_${secret()}`;
    return this.#db.transaction(async (tx) => {
      const o = await tx.query('SELECT 1 FROM relay_operators WHERE name = $1 AND disabled_at IS NULL', [
        operator,
      ]);
      if (o.rows.length === 0) return undefined;
      await tx.query('INSERT INTO relay_operator_tokens (token_hash, operator, label) VALUES ($1, $2, $3)', [
        sha(token),
        operator,
        label,
      ]);
      await appendInTx(
        tx,
        [{ kind: 'operator.token-created', detail: { by, operator, label } }],
        this.#date(),
      );
      return token;
    });
  }

  /**
   * Installs a token that comes from configuration (`opsToken`: scripts, tests, clusters set up from the
   * environment) as the API token of the `bootstrap` admin account, which has no usable password.
   */
  async installBootstrapToken(token: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO relay_operators (name, role, password_hash) VALUES ('bootstrap', 'admin', '!')
         ON CONFLICT (name) DO NOTHING`,
      );
      await tx.query(
        `INSERT INTO relay_operator_tokens (token_hash, operator, label) VALUES ($1, 'bootstrap', 'opsToken')
         ON CONFLICT (token_hash) DO NOTHING`,
        [sha(token)],
      );
      await tx.query(
        `UPDATE relay_operator_tokens SET revoked_at = now()
          WHERE operator = 'bootstrap' AND label = 'opsToken' AND token_hash <> $1 AND revoked_at IS NULL`,
        [sha(token)],
      );
    });
    this.#revoked('bootstrap');
  }

  async tokenPrincipal(token: string): Promise<Principal | undefined> {
    if (token.length === 0 || token.length > 256) return undefined;
    const key = `t:${sha(token)}`;
    let r;
    try {
      r = await this.#db.query<{ operator: string; role: Role }>(
        `SELECT t.operator, o.role FROM relay_operator_tokens t JOIN relay_operators o ON o.name = t.operator
          WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND o.disabled_at IS NULL`,
        [sha(token)],
      );
    } catch (err) {
      const p = this.verified.recall(key);
      if (p !== undefined) return p;
      throw err;
    }
    const t = r.rows[0];
    if (t === undefined) {
      this.verified.forget(key);
      return undefined;
    }
    const p: Principal = { name: t.operator, role: t.role, via: 'token' };
    this.verified.remember(key, p);
    return p;
  }
}
