import type { Logger } from '../../common/log.js';
import type { KioskToRelay, RelayToKiosk, VrsToRelay } from '../../protocol/index.js';
import type { Control } from '../control.js';
import type { Metrics } from '../metrics.js';
import type { VrsLink } from '../vrs-side/link.js';
import type { Router } from '../vrs-side/router.js';

/** What the forwarder needs of a kiosk session. */
export interface KioskPeer {
  readonly kioskId: string;
  readonly closed: boolean;
  inflight: number;
  send(msg: RelayToKiosk): boolean;
}

export interface ForwarderOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts per request (retries reuse the request id, which VRS deduplicates). */
  maxAttempts: number;
  /** Concurrent requests one kiosk session may have in flight; more get RELAY_BUSY. */
  maxInflightPerKiosk: number;
}

export const DEFAULT_FORWARDER: ForwarderOptions = {
  timeoutMs: 15_000,
  maxAttempts: 2,
  maxInflightPerKiosk: 16,
};

type IssueRequest = Extract<KioskToRelay, { type: 'issue.request' }>;

interface Pending {
  peer: KioskPeer;
  requestId: string;
  municipality: string;
  sealed: string;
  started: number;
  attempts: number;
  tried: Set<VrsLink>;
  link: VrsLink | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Forwards sealed requests from kiosk sessions to VRS and answers back. Each pending request is keyed by
 * its request id and remembers the one session that asked: an answer goes to that session only, a request
 * id already in flight is refused, and an answer for a request no longer pending (late, or never asked) is
 * dropped. The audit record of each outcome is committed before the kiosk is answered.
 */
export class Forwarder {
  readonly #control: Control;
  readonly #router: Router;
  readonly #metrics: Metrics;
  readonly #log: Logger;
  readonly #opts: ForwarderOptions;
  readonly #pending = new Map<string, Pending>();
  readonly #byLink = new Map<VrsLink, Set<Pending>>();
  /** Told of every answer sent to a kiosk (`response`: a sealed answer, not an error). */
  onAnswered:
    ((kioskId: string, requestId: string, municipality: string, response: boolean) => void) | undefined;

  constructor(
    control: Control,
    router: Router,
    metrics: Metrics,
    log: Logger,
    opts: Partial<ForwarderOptions> = {},
  ) {
    this.#control = control;
    this.#router = router;
    this.#metrics = metrics;
    this.#log = log;
    this.#opts = { ...DEFAULT_FORWARDER, ...opts };
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  request(peer: KioskPeer, msg: IssueRequest): void {
    const { requestId, municipality } = msg;
    if (this.#pending.has(requestId)) {
      this.#metrics.inc('relay_requests_total', { result: 'RELAY_DUPLICATE_REQUEST' });
      // Not audited as the request's outcome: the original request is still pending and will be.
      peer.send({ v: 1, type: 'issue.error', requestId, code: 'RELAY_DUPLICATE_REQUEST' });
      return;
    }
    const p: Pending = {
      peer,
      requestId,
      municipality,
      sealed: msg.sealed,
      started: performance.now(),
      attempts: 0,
      tried: new Set(),
      link: undefined,
      timer: undefined,
    };
    if (peer.inflight >= this.#opts.maxInflightPerKiosk) return void this.#fail(p, 'RELAY_BUSY', false);
    this.#pending.set(requestId, p);
    peer.inflight++;
    if (this.#control.stops.isStopped(municipality)) return void this.#fail(p, 'RELAY_ISSUANCE_STOPPED');
    // A stop made on another process may not have reached this one.
    if (!this.#control.synced) return void this.#fail(p, 'RELAY_CLUSTER_UNSYNCED');
    if (!this.#router.knows(municipality)) return void this.#fail(p, 'RELAY_MUNICIPALITY_UNKNOWN');
    // No record can be stored: nothing may be issued (VRS would answer, the record of it would be lost).
    if (!this.#control.audit.availability.writable) {
      void this.#control.audit
        .checkWritable()
        .then((ok) => (ok ? this.#dispatch(p) : this.#fail(p, 'RELAY_AUDIT_UNAVAILABLE')));
      return;
    }
    this.#dispatch(p);
  }

  #dispatch(p: Pending): void {
    const link = this.#router.pick(p.municipality, p.tried);
    if (link === undefined) return void this.#fail(p, 'RELAY_VRS_UNAVAILABLE');
    p.attempts++;
    p.tried.add(link);
    const sent = link.send({
      v: 1,
      type: 'vrs.request',
      requestId: p.requestId,
      kioskId: p.peer.kioskId,
      municipality: p.municipality,
      sealed: p.sealed,
    });
    if (!sent) {
      link.breaker.failure();
      return void this.#retryOrFail(p, 'RELAY_VRS_UNAVAILABLE');
    }
    p.link = link;
    let set = this.#byLink.get(link);
    if (set === undefined) this.#byLink.set(link, (set = new Set()));
    set.add(p);
    p.timer = setTimeout(() => {
      link.breaker.failure();
      this.#detach(p);
      this.#retryOrFail(p, 'RELAY_VRS_TIMEOUT');
    }, this.#opts.timeoutMs);
  }

  #detach(p: Pending): void {
    clearTimeout(p.timer);
    p.timer = undefined;
    if (p.link !== undefined) this.#byLink.get(p.link)?.delete(p);
    p.link = undefined;
  }

  #retryOrFail(p: Pending, code: 'RELAY_VRS_TIMEOUT' | 'RELAY_VRS_UNAVAILABLE'): void {
    if (!this.#pending.has(p.requestId)) return;
    if (p.attempts < this.#opts.maxAttempts && !p.peer.closed) {
      this.#metrics.inc('relay_vrs_retries_total', { reason: code });
      return this.#dispatch(p);
    }
    this.#fail(p, code);
  }

  /** The link went down: its pending requests go to another endpoint (or the same, once back). */
  linkDown(link: VrsLink): void {
    const set = this.#byLink.get(link);
    if (set === undefined) return;
    this.#byLink.delete(link);
    if (set.size > 0) link.breaker.failure(); // one failure per lost link, not per request on it
    for (const p of set) {
      clearTimeout(p.timer);
      p.link = undefined;
      this.#retryOrFail(p, 'RELAY_VRS_UNAVAILABLE');
    }
  }

  /** A message from VRS about a request (`vrs.response` / `vrs.error`). */
  answer(link: VrsLink, msg: Extract<VrsToRelay, { type: 'vrs.response' | 'vrs.error' }>): void {
    const p = this.#pending.get(msg.requestId);
    if (p === undefined || !p.tried.has(link)) {
      // Late (already answered, timed out) or for a request this endpoint was never sent: drop.
      this.#metrics.inc('relay_vrs_late_answers_total', { endpoint: link.name });
      return;
    }
    link.breaker.success();
    if (msg.type === 'vrs.response') {
      void this.#finish(
        p,
        { v: 1, type: 'issue.response', requestId: p.requestId, sealed: msg.sealed },
        'answered',
        link,
      );
    } else {
      void this.#finish(
        p,
        { v: 1, type: 'issue.error', requestId: p.requestId, code: msg.code },
        msg.code,
        link,
      );
    }
  }

  #fail(p: Pending, code: string, counted = true): void {
    void this.#finish(
      p,
      { v: 1, type: 'issue.error', requestId: p.requestId, code },
      code,
      undefined,
      counted,
    );
  }

  async #finish(
    p: Pending,
    reply: RelayToKiosk,
    result: string,
    link: VrsLink | undefined,
    counted = true,
  ): Promise<void> {
    this.#detach(p);
    if (counted) {
      if (this.#pending.get(p.requestId) !== p) return;
      this.#pending.delete(p.requestId);
    }
    // Issuance stopped while the request was in flight: the answer is not delivered.
    if (reply.type === 'issue.response' && this.#control.stops.isStopped(p.municipality)) {
      reply = { v: 1, type: 'issue.error', requestId: p.requestId, code: 'RELAY_ISSUANCE_STOPPED' };
      result = 'RELAY_ISSUANCE_STOPPED';
    }
    const delivered = !p.peer.closed;
    try {
      await this.#control.audit.append({
        kind: reply.type === 'issue.response' ? 'issue.answered' : 'issue.refused',
        requestId: p.requestId,
        kioskId: p.peer.kioskId,
        municipality: p.municipality,
        detail: {
          result,
          endpoint: link?.name ?? null,
          attempts: p.attempts,
          requestBytes: p.sealed.length,
          answerBytes: reply.type === 'issue.response' ? reply.sealed.length : 0,
          delivered,
        },
      });
    } catch (err) {
      this.#log.error('audit.write_failed', {
        requestId: p.requestId,
        error: err instanceof Error ? err.message : 'error',
      });
      reply = { v: 1, type: 'issue.error', requestId: p.requestId, code: 'RELAY_AUDIT_UNAVAILABLE' };
      result = 'RELAY_AUDIT_UNAVAILABLE';
    }
    if (counted) p.peer.inflight--;
    this.#metrics.inc('relay_requests_total', { result });
    if (result !== 'answered') this.#metrics.inc('relay_errors_total', { code: result });
    this.#metrics.observe('relay_request_duration_seconds', (performance.now() - p.started) / 1000);
    if (!p.peer.closed && p.peer.send(reply) && counted)
      this.onAnswered?.(p.peer.kioskId, p.requestId, p.municipality, reply.type === 'issue.response');
  }

  /** Stops every timer (shutdown); pending requests are left unanswered. */
  close(): void {
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    this.#byLink.clear();
  }
}
