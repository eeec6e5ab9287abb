import { z } from 'zod';
import { IssuedBody } from '../../../protocol/index.js';
import { CertificateError } from './errors.js';

/** "YYYY-MM-DD" naming a real day (the schema checks only the shape). */
function isCalendarDate(value: string): boolean {
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

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
    const dates: [string, string][] = [
      ['answer.issuedAt', answer.issuedAt],
      ['answer.person.birthDate', answer.person.birthDate],
      ...answer.doses.map((d, i): [string, string] => [`answer.doses.${i}.date`, d.date]),
    ];
    for (const [path, value] of dates) {
      if (!isCalendarDate(value)) ctx.addIssue({ code: 'custom', message: `${path}: not a calendar date` });
    }
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
  const where = issue === undefined ? 'input' : issue.path.join('.') || issue.message.split(':')[0];
  throw new CertificateError('CERT_INPUT_INVALID', `certificate input: invalid field ${where}`);
}
