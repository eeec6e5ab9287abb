import { z } from 'zod';
import { Rate } from './kiosk-side/rate.js';
import { RelayMode } from './topology.js';

const key = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'base64url 32-byte key');

export const VrsEndpointOption = z.object({
  url: z.string().regex(/^wss?:\/\//, 'ws:// or wss:// URL'),
  identityPublicKey: key,
  municipalities: z
    .array(z.string().regex(/^\d{6}$/))
    .max(2000)
    .optional(),
  name: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/)
    .optional(),
});

/** `startRelay` options, as read from a config file or the environment. */
export const RelayOptions = z.object({
  /** Folder for the identity seed and (without a database URL) the embedded database. */
  stateDir: z.string().min(1),
  /** A `postgres://` URL; absent: embedded PGlite in `stateDir/db`. */
  dbUrl: z.string().optional(),
  /**
   * Embedded PGlite on a worker thread instead of the event loop's. Off by default: on the 2-core benchmark
   * machine the extra thread hand-off per commit cost more latency (p50 +0.25–0.45 ms, 3 % of requests over
   * 5 ms inside the relay against 0.8 %) than the event loop gained; worth it where cores are spare.
   */
  dbThread: z.boolean().default(false),
  kioskHost: z.string().default('127.0.0.1'),
  kioskPort: z.number().int().min(0).max(65535).default(0),
  opsHost: z.string().default('127.0.0.1'),
  opsPort: z.number().int().min(0).max(65535).default(0),
  /**
   * A bootstrap API token (scripts, tests, clusters configured from the environment): it is installed as the
   * token of the built-in `bootstrap` admin account. People sign in with their own accounts and tokens.
   */
  opsToken: z.string().min(16, 'at least 16 characters').optional(),
  /**
   * The dashboard's session cookie is `__Host-…; Secure` (TLS in front of the ops address). Default: on for
   * any ops host that is not loopback; off on loopback, where the development listener is plain http.
   */
  opsSecureCookies: z.boolean().optional(),
  /** base64 or base64url 32-byte Ed25519 seed; absent: read or created in `stateDir/identity.seed`. */
  identitySeed: z.string().optional(),
  vrsEndpoints: z.array(VrsEndpointOption).default([]),
  webhookUrl: z.string().url().optional(),
  /** Tuning; defaults suit production. */
  pingIntervalMs: z.number().int().positive().optional(),
  handshakeTimeoutMs: z.number().int().positive().optional(),
  vrsTimeoutMs: z.number().int().positive().optional(),
  vrsMaxAttempts: z.number().int().min(1).max(5).optional(),
  maxInflightPerKiosk: z.number().int().min(1).max(1000).optional(),
  /** Per-identity kiosk message rates (token buckets), by message class; see relay/kiosk-side/rate.ts. */
  kioskRates: z
    .object({
      request: Rate.optional(),
      outcome: Rate.optional(),
      heartbeat: Rate.optional(),
      municipalities: Rate.optional(),
    })
    .strict()
    .optional(),
  ids: z
    .object({
      sourceFailuresPerMinute: z.number().int().positive().optional(),
      identityFailuresPerMinute: z.number().int().positive().optional(),
      flapConnectsPerMinute: z.number().int().positive().optional(),
      enrollFailuresPer10Min: z.number().int().positive().optional(),
      enrollTargetFailuresPer10Min: z.number().int().positive().optional(),
      enrollGlobalFailuresPerMinute: z.number().int().positive().optional(),
      alertsPerKindPerMinute: z.number().int().positive().optional(),
      distributedPerMinute: z.number().int().positive().optional(),
      banMs: z.number().int().positive().optional(),
    })
    .optional(),
  /**
   * The kiosk listener's connection budget; every default is derived from the process's open-file limit
   * (`ulimit -n`), see `relay/kiosk-side/connection-guard.ts` and the README.
   */
  connections: z
    .object({
      reserveFds: z.number().int().min(0).optional(),
      maxConnections: z.number().int().positive().optional(),
      maxAnonymous: z.number().int().positive().optional(),
      maxAnonymousPerSource: z.number().int().positive().optional(),
      shedAfterMs: z.number().int().positive().optional(),
      opsMaxConnections: z.number().int().positive().optional(),
      reportEveryMs: z.number().int().positive().optional(),
    })
    .strict()
    .optional(),
  /** Cluster supervision (several processes on one PostgreSQL): self-probe period and its timeout. */
  cluster: z
    .object({
      probeMs: z.number().int().positive().optional(),
      probeTimeoutMs: z.number().int().positive().optional(),
    })
    .strict()
    .optional(),
  /**
   * `production` (RELAY_MODE=production) refuses to start with a published test key or the demo admin
   * (relay/topology.ts); `development` (the default) is what `npm start` and the tests run.
   */
  mode: RelayMode.default('development'),
  /** Topology self-checks at start: how long to wait for each VRS endpoint's municipality list. */
  topology: z.object({ vrsWaitMs: z.number().int().positive().optional() }).strict().optional(),
  breaker: z
    .object({
      failureThreshold: z.number().int().positive().optional(),
      cooldownMs: z.number().int().positive().optional(),
    })
    .optional(),
});
export type RelayOptionsInput = z.input<typeof RelayOptions>;
export type RelayOptions = z.infer<typeof RelayOptions>;
