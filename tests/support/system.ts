import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../common/log.js';
import type { FlowConfig } from '../../kiosk/core/flow/index.js';
import { startSystem, type RunningSystem } from '../../scripts/system.js';

export interface TestSystem extends RunningSystem {
  /** The temp folder holding every service's state and `system.log`. */
  dir: string;
  /** Calls the control panel's API; throws on an HTTP error with the body's code. */
  panel<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Stops everything; keeps the folder (logs) when `failed`, copying the log to `keepLogsIn` if given. */
  shutdown(options?: { failed?: boolean; keepLogsIn?: string }): Promise<void>;
}

/**
 * One function that starts the whole system for a test: simulators, VRS stand-in, relay and the kiosk core
 * with its loopback host, everything on port 0 in a fresh temp folder. Logs go to `<dir>/system.log`
 * (never to the test output); on failure the folder is kept and its path printed.
 */
export async function startTestSystem(
  options: {
    flow?: Partial<FlowConfig>;
    printerJobTimeoutMs?: number;
    /** Municipalities that authenticate with カードAP at VRS (the rest: JPKI). */
    cardApMunicipalities?: readonly string[];
  } = {},
): Promise<TestSystem> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-system-'));
  const logFile = join(dir, 'system.log');
  let folderGone = false;
  const log = createLogger('system', (line) => {
    // A timer of a stopping service may still log after the folder was removed: those lines are dropped.
    if (folderGone) return;
    try {
      appendFileSync(logFile, line + '\n');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      folderGone = true;
    }
  });
  const sys = await startSystem({
    stateDir: join(dir, 'state'),
    log,
    printerJobTimeoutMs: options.printerJobTimeoutMs ?? 20_000,
    ...(options.flow ? { flow: options.flow } : {}),
    ...(options.cardApMunicipalities ? { cardApMunicipalities: options.cardApMunicipalities } : {}),
  });
  return {
    ...sys,
    dir,
    async panel<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const r = await fetch(`${sys.urls.panel}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await r.json()) as T & { error?: { code?: string } };
      if (!r.ok)
        throw Object.assign(new Error(`${method} ${path}: HTTP ${r.status}`), { code: json.error?.code });
      return json;
    },
    async shutdown(o = {}) {
      await sys.stop();
      if (o.failed) {
        if (o.keepLogsIn) {
          mkdirSync(o.keepLogsIn, { recursive: true });
          copyFileSync(logFile, join(o.keepLogsIn, 'system.log'));
        }
        process.stderr.write(`system logs kept in ${dir}\n`);
      } else rmSync(dir, { recursive: true, force: true });
    },
  };
}
