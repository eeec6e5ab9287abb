import { newRequestId, toBase64Url, type CryptoProvider, type IssuedBody } from '../../../protocol/index.js';
import { previewOf } from '../devices/preview.js';
import type { Failure, IssueRequest, IssueResult, RelayPort } from '../flow/ports.js';
import type { MunicipalityView } from '../../shared/view.js';
import type { IssueOutcome, RelayClient } from './client.js';

/** The flow's relay port, plus the outcome report the flow sends once it knows what became of an answer. */
export interface RelayClientPort extends RelayPort<IssuedBody> {
  reportOutcome(requestId: string, outcome: IssueOutcome, code?: string): void;
  /** The request id of the last `issue` call (for `reportOutcome`). */
  lastRequestId(): string | undefined;
}

/**
 * Adapts `RelayClient` to the flow's `RelayPort`: card files go base64url into the sealed request; the
 * answer becomes the preview and the printable certificate. An issued answer for another template or
 * municipality than asked is refused as ENVELOPE_BINDING_MISMATCH (and reported to the relay).
 */
export function relayClientPort(client: RelayClient, crypto: CryptoProvider): RelayClientPort {
  let last: string | undefined;
  return {
    available: () => client.available(),
    onAvailability: (listener) => client.onAvailability(listener),
    lastRequestId: () => last,
    reportOutcome: (requestId, outcome, code) => client.reportOutcome(requestId, outcome, code),
    async municipalities(): Promise<{ ok: true; list: MunicipalityView[] } | Failure> {
      const r = await client.requestMunicipalities();
      if (!r.ok) return r;
      return { ok: true, list: r.list };
    },
    async issue(req: IssueRequest): Promise<IssueResult<IssuedBody>> {
      const requestId = newRequestId(crypto);
      last = requestId;
      const c = req.card;
      const r = await client.issue({
        request: {
          requestId,
          kioskId: client.kioskId,
          municipality: req.municipality,
          certType: req.certType,
          copies: req.copies,
          ...(c.method === 'jpki'
            ? {
                jpki: {
                  certificate: toBase64Url(c.certificate),
                  signature: toBase64Url(c.signature),
                  kioskId: c.kioskId,
                  nonce: toBase64Url(c.nonce),
                  signedAt: c.signedAt,
                },
              }
            : {
                card: {
                  myNumberEf: toBase64Url(c.myNumberEf),
                  basic4Ef: toBase64Url(c.basic4Ef),
                  signatureEf: toBase64Url(c.signatureEf),
                  certificateEf: toBase64Url(c.certificateEf),
                },
              }),
        },
      });
      if (!r.ok) return r;
      const a = r.answer;
      switch (a.outcome) {
        case 'no-record':
          return { ok: true, outcome: 'no-record' };
        case 'refused':
          return { ok: false, code: a.code };
        case 'issued':
          if (a.certType !== req.certType || a.municipality.code !== req.municipality) {
            client.reportOutcome(requestId, 'binding-mismatch', 'ENVELOPE_BINDING_MISMATCH');
            return { ok: false, code: 'ENVELOPE_BINDING_MISMATCH' };
          }
          return { ok: true, outcome: 'issued', preview: previewOf(a), certificate: a };
        default: {
          const never: never = a;
          return never;
        }
      }
    },
  };
}
