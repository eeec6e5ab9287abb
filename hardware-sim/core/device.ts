import type { Hono } from 'hono';
import { CodedError, type ErrorCode } from '../../protocol/errors/index.js';
import type { SimEventLog } from './events.js';

/** What every simulated device gets when it starts. */
export interface SimContext {
  /** Folder for the simulators' state (ports, the J-LIS stand-in's keys, retry counters). */
  stateDir: string;
  /** Folder for virtual serial port links. */
  portsDir: string;
  events: SimEventLog;
}

/**
 * One simulated device (or a family of them) plugged into `npm run sim` and the control panel.
 * Each registers its own `/api/...` routes and reports its port paths for the JSON line.
 */
export interface SimDevice {
  readonly id: string;
  /** Starts the device; returns the entries it adds to the `npm run sim` JSON line, e.g. `{ reader: '/…/reader' }`. */
  start(ctx: SimContext): Promise<Record<string, string>>;
  /** Adds this device's routes to the panel's HTTP API. */
  routes(app: Hono): void;
  /** A short state summary for `GET /api/state` and the panel page. */
  state(): Record<string, unknown>;
  stop(): Promise<void>;
}

/** A coded error for the panel API: `{ "error": { "code", "message" } }` with this status. */
export class SimApiError extends CodedError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: 400 | 404 | 409 | 500 | 503 = 400,
  ) {
    super(code, message);
  }
}
