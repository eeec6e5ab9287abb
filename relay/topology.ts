import { z } from 'zod';
import type { Db } from '../common/db.js';
import type { Logger } from '../common/log.js';
import { identityFromSeed, keyId, type CryptoProvider, type ErrorCode } from '../protocol/index.js';
import vectors from '../protocol/vectors/protocol-v1.json' with { type: 'json' };
import type { RelayOptions } from './config.js';
import { RelayError } from './errors.js';
import { schemaVersion } from './store/schema.js';
import type { VrsLink } from './vrs-side/link.js';

/**
 * Topology self-checks (the 2024 single-server incident: a deployment that was not what it was thought to
 * be). At start the relay checks what it is connected to and refuses to run, loudly, when it is wrong:
 *
 * - routes: every municipality the configuration routes to an endpoint (`vrsEndpoints[].municipalities`) is
 *   in the list that endpoint gives when asked over the authenticated LGWAN channel
 *   (`vrs.municipalities.request`);                                        RELAY_TOPOLOGY_ROUTE_MISMATCH
 * - cluster: every other live relay process on the same database has the same cluster configuration and
 *   the same schema version;               RELAY_TOPOLOGY_CLUSTER_MISMATCH, RELAY_TOPOLOGY_SCHEMA_MISMATCH
 * - production mode (`mode: production`, RELAY_MODE=production): no key published in the repository for
 *   tests, and no demo admin account;                  RELAY_TOPOLOGY_TEST_KEY, RELAY_TOPOLOGY_DEMO_ADMIN
 *
 * Each failure is an alert (kind `topology`, critical) and a RelayError; `npm run relay` prints it and exits 3.
 */

export const RelayMode = z.enum(['development', 'production']);
export type RelayMode = z.infer<typeof RelayMode>;

export interface TopologyProblem {
  code: ErrorCode;
  message: string;
  /** Codes, names and field names only: no secret, no personal data. */
  detail: Record<string, string | number | boolean | null>;
}

/** Thrown by `startRelay` when a check fails: `code` is the first problem's, `problems` lists them all. */
export class TopologyError extends RelayError {
  readonly problems: TopologyProblem[];
  constructor(problems: TopologyProblem[]) {
    super(problems[0]!.code, problems.map((p) => `${p.code}: ${p.message}`).join('; '));
    this.name = 'TopologyError';
    this.problems = problems;
  }
}

// ---------------------------------------------------------------------------------------------- routes

/** The configured routes of `link` that its own answer does not serve (sorted), or null when all are. */
export function routeProblem(link: VrsLink, served: readonly string[]): TopologyProblem | null {
  const configured = link.config.municipalities;
  if (configured === undefined) return null;
  const have = new Set(served);
  const missing = configured.filter((c) => !have.has(c)).sort();
  if (missing.length === 0) return null;
  return {
    code: 'RELAY_TOPOLOGY_ROUTE_MISMATCH',
    message: `endpoint ${link.name} does not serve ${missing.length} municipality code(s) routed to it: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
    detail: { endpoint: link.name, missing: missing.length, first: missing[0] ?? null },
  };
}

/**
 * Collects each endpoint's answer to `vrs.municipalities.request` (sent by every link when it comes up) and
 * lets the start wait for them. A mismatch found after the start (an endpoint that was down) goes to
 * `onLateProblem`, which raises the alert; that endpoint's wrong routes are then dropped from its table.
 */
export class RouteCheck {
  readonly #answers = new Map<VrsLink, readonly string[]>();
  readonly #waiters = new Set<() => void>();
  #started = false;
  onLateProblem: (p: TopologyProblem) => void = () => undefined;

  /** Called with every `vrs.municipalities.response` (before the router learns it). */
  answered(link: VrsLink, list: readonly string[]): void {
    const first = !this.#answers.has(link);
    this.#answers.set(link, list);
    for (const w of [...this.#waiters]) w();
    if (!this.#started || !first) return;
    const p = routeProblem(link, list);
    if (p === null) return;
    const served = new Set(list);
    for (const c of [...link.municipalities]) if (!served.has(c)) link.municipalities.delete(c);
    this.onLateProblem(p);
  }

  /**
   * Waits up to `ms` for an answer from every link that has configured routes; returns the mismatches and
   * the endpoints that did not answer (unchecked: the check runs when they come up).
   */
  async check(
    links: readonly VrsLink[],
    ms: number,
  ): Promise<{ problems: TopologyProblem[]; unchecked: string[] }> {
    const wanted = links.filter((l) => l.config.municipalities !== undefined);
    const done = () => wanted.every((l) => this.#answers.has(l));
    if (!done()) {
      await new Promise<void>((resolve) => {
        const w = () => {
          if (!done()) return;
          clearTimeout(timer);
          this.#waiters.delete(w);
          resolve();
        };
        const timer = setTimeout(() => {
          this.#waiters.delete(w);
          resolve();
        }, ms);
        this.#waiters.add(w);
      });
    }
    this.#started = true;
    const problems: TopologyProblem[] = [];
    const unchecked: string[] = [];
    for (const l of wanted) {
      const list = this.#answers.get(l);
      if (list === undefined) unchecked.push(l.name);
      else {
        const p = routeProblem(l, list);
        if (p) problems.push(p);
      }
    }
    return { problems, unchecked };
  }
}

// --------------------------------------------------------------------------------------------- cluster

/**
 * What every relay of a cluster must agree on: the key kiosks pin, where requests go, the limits and the
 * mode. Secrets (the operations token, the identity seed) are not in it; per-process addresses, ports,
 * folders and tuning of this process's own listener are not either.
 */
export function clusterConfig(o: RelayOptions, identityPublicKey: string): Record<string, unknown> {
  const endpoints = o.vrsEndpoints
    .map((e) => ({
      url: e.url,
      identityPublicKey: e.identityPublicKey,
      municipalities: e.municipalities ? [...e.municipalities].sort() : null,
      name: e.name ?? null,
    }))
    .sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  return {
    identityPublicKey,
    mode: o.mode,
    vrsEndpoints: endpoints,
    vrsTimeoutMs: o.vrsTimeoutMs ?? null,
    vrsMaxAttempts: o.vrsMaxAttempts ?? null,
    maxInflightPerKiosk: o.maxInflightPerKiosk ?? null,
    kioskRates: o.kioskRates ?? null,
    ids: o.ids ?? null,
    breaker: o.breaker ?? null,
  };
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

const TOPOLOGY_SCHEMA = `
CREATE TABLE IF NOT EXISTS relay_topology (
  process_id     text PRIMARY KEY,
  at             timestamptz NOT NULL DEFAULT now(),
  schema_version text NOT NULL,
  config         jsonb NOT NULL
);`;

/** How recently a process must have published its live sample to count as running (as the dashboard). */
const LIVE_MS = 15_000;

/**
 * Registers this process's cluster configuration and schema version, and compares them with every other
 * process that is running (a live sample in `relay_processes` within 15 s).
 */
export async function checkCluster(
  db: Db,
  processId: string,
  config: Record<string, unknown>,
  version: string = schemaVersion(),
  now: () => number = Date.now,
): Promise<TopologyProblem[]> {
  await db.exec(TOPOLOGY_SCHEMA);
  await db.query(`DELETE FROM relay_topology WHERE at < $1`, [new Date(now() - 86_400_000).toISOString()]);
  await db.query(
    `INSERT INTO relay_topology (process_id, schema_version, config) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (process_id) DO UPDATE SET at = now(), schema_version = $2, config = $3::jsonb`,
    [processId, version, canonical(config)],
  );
  const r = await db.query<{ process_id: string; schema_version: string; config: unknown }>(
    `SELECT t.process_id, t.schema_version, t.config FROM relay_topology t
       JOIN relay_processes p ON p.id = t.process_id
      WHERE t.process_id <> $1 AND p.at > $2 ORDER BY t.process_id`,
    [processId, new Date(now() - LIVE_MS).toISOString()],
  );
  const problems: TopologyProblem[] = [];
  for (const row of r.rows) {
    if (row.schema_version !== version) {
      problems.push({
        code: 'RELAY_TOPOLOGY_SCHEMA_MISMATCH',
        message: `relay process ${row.process_id} runs schema ${row.schema_version}, this one ${version}`,
        detail: { process: row.process_id, theirs: row.schema_version, ours: version },
      });
    }
    const theirs = (typeof row.config === 'string' ? JSON.parse(row.config) : row.config) as Record<
      string,
      unknown
    >;
    const fields = [...new Set([...Object.keys(theirs), ...Object.keys(config)])]
      .filter((k) => canonical(theirs[k] ?? null) !== canonical(config[k] ?? null))
      .sort();
    if (fields.length > 0) {
      problems.push({
        code: 'RELAY_TOPOLOGY_CLUSTER_MISMATCH',
        message: `relay process ${row.process_id} differs in ${fields.join(', ')}`,
        detail: { process: row.process_id, fields: fields.join(',') },
      });
    }
  }
  return problems;
}

/** Forgets this process's row (at stop). */
export async function leaveCluster(db: Db, processId: string): Promise<void> {
  await db.query('DELETE FROM relay_topology WHERE process_id = $1', [processId]).catch(() => undefined);
}

// ------------------------------------------------------------------------------------------ production

/**
 * Public keys whose secret is published in this repository, so must never run in production: every seed
 * of one repeated byte (the tests' `Buffer.alloc(32, n)`) and the protocol vectors' identities.
 */
export function publishedTestKeys(crypto: CryptoProvider): Set<string> {
  const keys = new Set<string>([vectors.identities.relayPublicKey, vectors.identities.kioskPublicKey]);
  for (let b = 0; b < 256; b++)
    keys.add(keyId(identityFromSeed(new Uint8Array(32).fill(b), crypto).publicKey));
  return keys;
}

/** The demo admin account `npm start` creates (scripts/system.ts). */
export const DEMO_ADMIN = 'demo-admin';

/** The production-mode checks: no published test key as identity or pinned VRS key, no demo admin. */
export function productionProblems(
  o: RelayOptions,
  identityPublicKey: string,
  operators: readonly { name: string; disabled: boolean }[],
  crypto: CryptoProvider,
): TopologyProblem[] {
  if (o.mode !== 'production') return [];
  const problems: TopologyProblem[] = [];
  const published = publishedTestKeys(crypto);
  if (published.has(identityPublicKey))
    problems.push({
      code: 'RELAY_TOPOLOGY_TEST_KEY',
      message: 'the relay identity is a published test key',
      detail: { key: 'identity' },
    });
  o.vrsEndpoints.forEach((e, i) => {
    if (published.has(e.identityPublicKey))
      problems.push({
        code: 'RELAY_TOPOLOGY_TEST_KEY',
        message: `vrsEndpoints[${i}] pins a published test key`,
        detail: { key: `vrsEndpoints[${i}]` },
      });
  });
  if (operators.some((op) => op.name === DEMO_ADMIN && !op.disabled))
    problems.push({
      code: 'RELAY_TOPOLOGY_DEMO_ADMIN',
      message: `the demo admin account "${DEMO_ADMIN}" exists and is enabled`,
      detail: { operator: DEMO_ADMIN },
    });
  return problems;
}

/** Logs and returns a problem list as one line each (for the process's stderr). */
export function describeProblems(problems: readonly TopologyProblem[], log: Logger): string {
  for (const p of problems) log.error('topology.refused', { code: p.code, ...p.detail });
  return problems.map((p) => `${p.code}: ${p.message}`).join('\n');
}
