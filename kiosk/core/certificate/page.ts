import type { IssuedBody } from '../../../protocol/index.js';
import { drawBackground } from './background.js';
import { LABEL, QR_NOTE, englishDate, japaneseDate } from './labels.js';
import {
  INK,
  MARGIN,
  MM,
  contentWidth,
  drawDoses,
  drawHeader,
  drawIssuer,
  drawRows,
  drawSection,
  requireAbove,
  type PersonRow,
} from './layout.js';
import { drawQr, type QrMatrix } from './qr.js';
import { setText, type Doc } from './text.js';

/** Printed size of each QR code: 58 mm (the SHC spec targets at least 40 mm for a version-22 code). */
export const QR_SIZE_MM = 58;
const QR_SIZE = QR_SIZE_MM * MM;
const BOTTOM = 11 * MM;

/** The QR codes a page carries, built once per job (every copy is the same page). */
export interface PageCodes {
  readonly shc: QrMatrix;
  /** Overseas only. */
  readonly vdsNc?: QrMatrix;
}

function personRows(answer: IssuedBody): PersonRow[] {
  const p = answer.person;
  const birth: PersonRow = {
    label: LABEL.birthDate,
    value: `${japaneseDate(p.birthDate)}  ${englishDate(p.birthDate)}`,
    field: 'person.birthDate',
  };
  if (answer.certType === 'domestic') {
    // Domestic: the name in Japanese only.
    return [{ label: LABEL.name, value: p.name, field: 'person.name', lines: 3 }, birth];
  }
  return [
    { label: LABEL.nameKanji, value: p.name, field: 'person.name', lines: 3 },
    { label: LABEL.nameRomaji, value: p.nameRomaji ?? '', field: 'person.nameRomaji', lines: 2 },
    birth,
    { label: LABEL.nationality, value: p.nationality ?? '', field: 'person.nationality' },
    { label: LABEL.passport, value: p.passportNumber ?? '', field: 'person.passportNumber' },
  ];
}

function qrWithCaption(doc: Doc, qr: QrMatrix, label: readonly [string, string], x: number, y: number): void {
  drawQr(doc, qr, x, y, QR_SIZE);
  setText(
    doc,
    label[1],
    x,
    y + QR_SIZE + 2,
    { size: 8, weight: 700, color: INK },
    { width: QR_SIZE, align: 'center', field: 'qr' },
  );
}

/** Draws one certificate page: background, header, person, doses, issuer, QR codes. */
export function drawCertificatePage(doc: Doc, answer: IssuedBody, codes: PageCodes): void {
  drawBackground(doc);
  const overseas = answer.certType === 'overseas';
  let y = drawHeader(doc, answer, 13 * MM);
  y = drawSection(doc, LABEL.person, y + 6);
  y = drawRows(doc, personRows(answer), y);
  y = drawSection(doc, LABEL.records, y + 8);
  y = drawDoses(doc, answer.doses, overseas, y);
  y = drawIssuer(doc, answer, y + 8);

  const qrTop = doc.page.height - BOTTOM - 12 - QR_SIZE;
  requireAbove(y, qrTop - 4);
  let x = MARGIN;
  if (codes.vdsNc !== undefined) {
    qrWithCaption(doc, codes.vdsNc, LABEL.vdsNc, x, qrTop);
    x += QR_SIZE + 4 * MM;
  }
  qrWithCaption(doc, codes.shc, LABEL.shc, x, qrTop);
  x += QR_SIZE + 4 * MM;
  const noteWidth = MARGIN + contentWidth(doc) - x;
  const used = setText(
    doc,
    QR_NOTE.ja,
    x,
    qrTop + 8,
    { size: 7.5, color: INK },
    { width: noteWidth, maxLines: 8, minSize: 6, field: 'note' },
  );
  setText(
    doc,
    QR_NOTE.en,
    x,
    qrTop + 14 + used,
    { size: 6.5, color: INK },
    { width: noteWidth, maxLines: 8, minSize: 5, field: 'note' },
  );
}
