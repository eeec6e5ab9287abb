/** What the panel's server checks on every request before the API sees it. */
export interface PanelRequestHead {
  method: string;
  /** Header lookup, case-insensitive (e.g. `Headers.get`). */
  header(name: string): string | null | undefined;
}

export type PanelGuardResult =
  | { ok: true }
  | {
      ok: false;
      status: 403 | 415 | 421;
      code: 'SIM_MISDIRECTED' | 'SIM_FORBIDDEN_ORIGIN' | 'SIM_UNSUPPORTED_MEDIA_TYPE';
    };

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The Host header values the panel answers to when it listens on `host:port` (loopback only). */
export function panelHostNames(host: string, port: number): string[] {
  const names = host === '::1' ? [`[::1]:${port}`] : [`${host}:${port}`];
  if (host === '127.0.0.1' || host === '::1') names.push(`localhost:${port}`);
  return names;
}

/**
 * The panel's request guard, pure (fuzzed):
 * - `Host` must name the panel itself (a DNS-rebinding page sends its own name: `421 SIM_MISDIRECTED`);
 * - an `Origin`, when sent, must be the panel's own (another page the tester has open: `403
 *   SIM_FORBIDDEN_ORIGIN`; so is `Sec-Fetch-Site: cross-site`);
 * - every request that changes something (any method but GET/HEAD) must be `application/json`, which no
 *   page can send cross-origin without a CORS preflight the panel never grants (`415
 *   SIM_UNSUPPORTED_MEDIA_TYPE`): a `text/plain` form post is refused, with or without a body.
 */
export function guardPanelRequest(req: PanelRequestHead, hostNames: readonly string[]): PanelGuardResult {
  const host = req.header('host');
  if (typeof host !== 'string' || !hostNames.includes(host.toLowerCase()))
    return { ok: false, status: 421, code: 'SIM_MISDIRECTED' };
  const origin = req.header('origin');
  if (origin !== null && origin !== undefined && !hostNames.some((h) => origin === `http://${h}`))
    return { ok: false, status: 403, code: 'SIM_FORBIDDEN_ORIGIN' };
  if (req.header('sec-fetch-site') === 'cross-site')
    return { ok: false, status: 403, code: 'SIM_FORBIDDEN_ORIGIN' };
  if (!SAFE_METHODS.has(req.method.toUpperCase())) {
    const type = (req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return { ok: false, status: 415, code: 'SIM_UNSUPPORTED_MEDIA_TYPE' };
  }
  return { ok: true };
}

/** Hosts the panel may listen on: loopback only. */
export const PANEL_BIND_HOSTS = ['127.0.0.1', '::1'] as const;
