import type { IssuedBody } from '../../../protocol/index.js';
import { CertificateError, renderCertificate } from '../certificate/index.js';
import type { CertificatePort, Failure } from '../flow/ports.js';
import type { CertType } from '../../shared/view.js';

/** The flow's certificate port: one copy of the issued answer rendered to PDF, in memory. */
export const certificatePort: CertificatePort<IssuedBody> = {
  async render(
    answer: IssuedBody,
    certType: CertType,
  ): Promise<{ ok: true; document: Uint8Array } | Failure> {
    if (answer.certType !== certType) return { ok: false, code: 'KIOSK_INTERNAL' };
    try {
      return { ok: true, document: await renderCertificate({ answer, copies: 1 }) };
    } catch (err) {
      if (err instanceof CertificateError) return { ok: false, code: err.code };
      return { ok: false, code: 'KIOSK_INTERNAL' };
    }
  },
};
