/** The signed-in operator: the CSRF token lives in memory only (the session cookie is HttpOnly). */
export interface Session {
  name: string;
  role: 'viewer' | 'operator' | 'admin';
  csrf: string;
}

export let session: Session | undefined;
export const setSession = (s: Session | undefined): void => {
  session = s;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => undefined;
export const whenUnauthorized = (fn: () => void): void => {
  onUnauthorized = fn;
};

export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session) headers['x-csrf-token'] = session.csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/auth/')) onUnauthorized();
    throw new ApiError(
      res.status,
      String(json['code'] ?? 'HTTP_' + res.status),
      String(json['message'] ?? ''),
      json,
    );
  }
  return json as T;
}

type Handler = (data: unknown) => void;
const handlers = new Map<string, Set<Handler>>();
let source: EventSource | undefined;

/** One EventSource per page for alerts, fleet changes and live figures. */
export function on(event: string, fn: Handler): () => void {
  if (source === undefined) {
    source = new EventSource('/api/dashboard/stream');
    for (const ev of ['alert', 'fleet', 'live', 'cleared', 'ready'])
      source.addEventListener(ev, (e) => {
        let data: unknown = null;
        try {
          data = JSON.parse((e as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const h of handlers.get(ev) ?? []) h(data);
      });
  }
  let set = handlers.get(event);
  if (set === undefined) handlers.set(event, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

export function closeStream(): void {
  source?.close();
  source = undefined;
  handlers.clear();
}
