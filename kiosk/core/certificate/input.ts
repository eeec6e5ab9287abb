import { z } from 'zod';
import { IssuedBody } from '../../../protocol/index.js';
import { CertificateError } from './errors.js';

/** Most copies one job prints (the request schema's limit). */
export const MAX_COPIES = 10;

/**
 * What the certificate is printed from: the issued answer VRS sealed to this kiosk (which carries the
 * template, issue date, municipality and issuer line) and the number of copies.
 */
export const CertificateInput = z
  .object({
    answer: IssuedBody,
    copies: z.number().int().min(1).max(MAX_COPIES),
  })
  .superRefine((input, ctx) => {
    const { answer } = input;
    if (answer.certType !== 'overseas') return;
    const p = answer.person;
    const need: [string, unknown][] = [
      ['answer.person.nameRomaji', p.nameRomaji],
      ['answer.person.nationality', p.nationality],
      ['answer.person.passportNumber', p.passportNumber],
      ['answer.vdsNc', answer.vdsNc],
    ];
    for (const [path, value] of need) {
      if (value === undefined || value === '') {
        ctx.addIssue({ code: 'custom', message: `${path}: required on the overseas certificate` });
      }
    }
  });
export type CertificateInput = z.infer<typeof CertificateInput>;

/**
 * Parses a certificate input from `unknown`.
 * @throws CertificateError CERT_INPUT_INVALID naming the first bad field (never its value).
 */
export function parseCertificateInput(input: unknown): CertificateInput {
  const parsed = CertificateInput.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined ? 'input' : issue.path.join('.') || issue.message;
  throw new CertificateError('CERT_INPUT_INVALID', `certificate input: invalid field ${where}`);
}
