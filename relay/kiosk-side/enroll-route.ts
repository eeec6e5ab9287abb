import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { text } from '../../protocol/index.js';
import type { Control } from '../control.js';
import type { Ids } from '../ids.js';
import type { Metrics } from '../metrics.js';
import { sourceOf } from './refuse.js';

const MAX_BODY = 4096;

export const EnrollBody = z.object({
  code: text(32, 1),
  publicKey: text(64, 1),
  name: text(64, 1).optional(),
});

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const STATUS: Record<string, number> = {
  RELAY_ENROLL_CODE_INVALID: 403,
  RELAY_ENROLL_CODE_EXPIRED: 403,
  RELAY_ENROLL_KEY_INVALID: 400,
  RELAY_KIOSK_ALREADY_ENROLLED: 409,
  RELAY_OPS_BAD_REQUEST: 400,
  RELAY_BANNED: 403,
  RELAY_ENROLL_THROTTLED: 429,
};

/**
 * `POST /enroll { code, publicKey, name? }` on the dedicated-line address: registers a kiosk's public key
 * with a one-time code and answers the relay's identity key. The kiosk must already pin that key from its
 * own configuration and compare it: this endpoint is not authenticated, so the answer only confirms.
 */
export async function handleEnroll(
  req: IncomingMessage,
  res: ServerResponse,
  deps: { control: Control; ids: Ids; metrics: Metrics; relayPublicKey: string },
): Promise<void> {
  const source = sourceOf(req.socket.remoteAddress);
  if (deps.control.bans.isBanned('source', source))
    return reply(res, 403, { ok: false, code: 'RELAY_BANNED' });
  const throttled = () => {
    deps.metrics.inc('relay_enrollments_total', { result: 'RELAY_ENROLL_THROTTLED' });
    reply(res, 429, { ok: false, code: 'RELAY_ENROLL_THROTTLED' });
  };
  // Throttled before any work: a guesser's attempts are not even checked (nor counted against a code).
  if (!deps.ids.enrollAllowed(source)) return throttled();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return reply(res, 413, { ok: false, code: 'RELAY_OPS_BAD_REQUEST' });
    chunks.push(chunk as Buffer);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    raw = undefined;
  }
  const body = EnrollBody.safeParse(raw);
  if (!body.success) {
    deps.metrics.inc('relay_enrollments_total', { result: 'RELAY_OPS_BAD_REQUEST' });
    return reply(res, 400, { ok: false, code: 'RELAY_OPS_BAD_REQUEST' });
  }
  if (!deps.ids.enrollAllowed(source, body.data.name ?? null)) return throttled();
  const r = await deps.control.enroll(body.data, source);
  deps.metrics.inc('relay_enrollments_total', { result: r.ok ? 'ok' : r.code });
  if (!r.ok) {
    if (r.code === 'RELAY_ENROLL_CODE_INVALID' || r.code === 'RELAY_ENROLL_CODE_EXPIRED') {
      deps.ids.enrollFailure(source, r.code, body.data.name ?? null);
    }
    return reply(res, STATUS[r.code] ?? 400, { ok: false, code: r.code });
  }
  reply(res, 200, { ok: true, kioskId: r.kioskId, relayPublicKey: deps.relayPublicKey });
}
