import type { IssuedBody } from '../../../protocol/index.js';
import type { RecordPreview } from '../../shared/view.js';

/** What the resident is shown to confirm before paying: from the issued answer, nothing more. */
export function previewOf(answer: IssuedBody): RecordPreview {
  return {
    name: answer.person.name,
    ...(answer.person.nameRomaji ? { nameEn: answer.person.nameRomaji } : {}),
    birthDate: answer.person.birthDate,
    ...(answer.person.passportNumber ? { passportNumber: answer.person.passportNumber } : {}),
    ...(answer.person.nationality ? { nationality: answer.person.nationality } : {}),
    municipality: answer.municipality.code,
    doses: answer.doses.map((d) => ({
      dose: d.seq,
      date: d.date,
      vaccine: d.product,
      ...(d.productEn !== d.product ? { vaccineEn: d.productEn } : {}),
      lot: d.lot,
    })),
  };
}
