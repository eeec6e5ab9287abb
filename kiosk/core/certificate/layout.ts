import type { Dose, IssuedBody } from '../../../protocol/index.js';
import { CertificateError } from './errors.js';
import { ATTESTATION, LABEL, MINISTER, TEMPLATE_TEXT, englishDate, japaneseDate } from './labels.js';
import { measureBox, setText, type Doc } from './text.js';

/** Page geometry in points (A4 = 595.28 × 841.89 pt; 1 mm = 2.835 pt). */
export const MM = 72 / 25.4;
export const MARGIN = 15 * MM;
export const INK = '#111111';
export const RULE = '#555555';
const LABEL_INK = '#333333';
const MIN_ROW_HEIGHT = 24;

export function contentWidth(doc: Doc): number {
  return doc.page.width - 2 * MARGIN;
}

/** Title, template kind, certificate id and issue date. Returns the y below. */
export function drawHeader(doc: Doc, answer: IssuedBody, y: number): number {
  const w = contentWidth(doc);
  const t = TEMPLATE_TEXT[answer.certType];
  setText(
    doc,
    t.titleJa,
    MARGIN,
    y,
    { size: 17, weight: 700, color: INK },
    { width: w, align: 'center', field: 'title' },
  );
  setText(
    doc,
    t.titleEn,
    MARGIN,
    y + 24,
    { size: 11, color: INK },
    { width: w, align: 'center', field: 'title' },
  );
  const kind = `（${t.kindJa} / ${t.kindEn}）`;
  setText(
    doc,
    kind,
    MARGIN,
    y + 41,
    { size: 10.5, weight: 700, color: INK },
    { width: w, align: 'center', field: 'kind' },
  );
  const rowY = y + 64;
  const half = w / 2;
  labelled(doc, LABEL.certificateId, answer.certificateId, MARGIN, rowY, half - 6, 'certificateId');
  labelled(
    doc,
    LABEL.issuedAt,
    `${japaneseDate(answer.issuedAt)}  ${englishDate(answer.issuedAt)}`,
    MARGIN + half + 6,
    rowY,
    half - 6,
    'issuedAt',
  );
  return rowY + 26;
}

/** A small bilingual label over a value, for the header row. */
function labelled(
  doc: Doc,
  label: readonly [string, string],
  value: string,
  x: number,
  y: number,
  width: number,
  field: string,
): void {
  setText(doc, `${label[0]} / ${label[1]}`, x, y, { size: 7.5, color: LABEL_INK }, { width, field: 'label' });
  setText(doc, value, x, y + 11, { size: 9.5, color: INK }, { width, minSize: 6.5, field });
}

/** A section heading with a rule under it. Returns the y below. */
export function drawSection(doc: Doc, label: readonly [string, string], y: number): number {
  const w = contentWidth(doc);
  setText(
    doc,
    `${label[0]}  ${label[1]}`,
    MARGIN,
    y,
    { size: 10.5, weight: 700, color: INK },
    { width: w, field: 'section' },
  );
  doc
    .save()
    .moveTo(MARGIN, y + 16)
    .lineTo(MARGIN + w, y + 16)
    .lineWidth(0.8)
    .strokeColor(RULE)
    .stroke()
    .restore();
  return y + 20;
}

export interface PersonRow {
  readonly label: readonly [string, string];
  readonly value: string;
  readonly field: string;
  readonly lines?: number;
}

/** Label/value rows (label column in Japanese over English). Returns the y below. */
export function drawRows(doc: Doc, rows: readonly PersonRow[], y: number): number {
  const w = contentWidth(doc);
  const labelWidth = 130;
  let cy = y;
  for (const row of rows) {
    setText(
      doc,
      row.label[0],
      MARGIN + 4,
      cy + 4,
      { size: 9, color: LABEL_INK },
      { width: labelWidth - 8, field: 'label' },
    );
    setText(
      doc,
      row.label[1],
      MARGIN + 4,
      cy + 15,
      { size: 6.5, color: LABEL_INK },
      { width: labelWidth - 8, field: 'label' },
    );
    const used = setText(
      doc,
      row.value,
      MARGIN + labelWidth,
      cy + 6,
      { size: 11, color: INK },
      { width: w - labelWidth - 4, maxLines: row.lines ?? 1, minSize: 7, field: row.field },
    );
    cy += Math.max(26, used + 9);
    doc
      .save()
      .moveTo(MARGIN, cy)
      .lineTo(MARGIN + w, cy)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke()
      .restore();
  }
  return cy;
}

interface Column {
  readonly label: readonly [string, string];
  readonly width: number;
  readonly cell: (d: Dose) => [string, string?];
  readonly field: string;
}

function columns(overseas: boolean): Column[] {
  const cols: Column[] = [
    { label: LABEL.seq, width: 34, cell: (d) => [String(d.seq)], field: 'dose.seq' },
    { label: LABEL.date, width: 64, cell: (d) => [d.date], field: 'dose.date' },
    { label: LABEL.vaccineType, width: 78, cell: (d) => [d.vaccineType], field: 'dose.vaccineType' },
    {
      label: LABEL.manufacturer,
      width: 84,
      cell: (d) => [d.manufacturer, d.manufacturerEn],
      field: 'dose.manufacturer',
    },
    { label: LABEL.product, width: 112, cell: (d) => [d.product, d.productEn], field: 'dose.product' },
    { label: LABEL.lot, width: 95, cell: (d) => [d.lot], field: 'dose.lot' },
  ];
  if (overseas)
    cols.push({ label: LABEL.country, width: 44, cell: (d) => [d.country], field: 'dose.country' });
  return cols;
}

/** The dose table (up to 7 rows). Returns the y below. */
export function drawDoses(doc: Doc, doses: readonly Dose[], overseas: boolean, y: number): number {
  const cols = columns(overseas);
  const total = cols.reduce((s, c) => s + c.width, 0);
  const scale = contentWidth(doc) / total;
  const headerHeight = 24;
  let x = MARGIN;
  for (const c of cols) {
    const cw = c.width * scale;
    setText(
      doc,
      c.label[0],
      x + 3,
      y + 3,
      { size: 7.5, weight: 700, color: LABEL_INK },
      { width: cw - 6, minSize: 5.5, field: 'label' },
    );
    setText(
      doc,
      c.label[1],
      x + 3,
      y + 13,
      { size: 6, color: LABEL_INK },
      { width: cw - 6, minSize: 4.5, field: 'label' },
    );
    x += cw;
  }
  let cy = y + headerHeight;
  doc
    .save()
    .moveTo(MARGIN, cy)
    .lineTo(MARGIN + contentWidth(doc), cy)
    .lineWidth(0.8)
    .strokeColor(RULE)
    .stroke()
    .restore();
  const sorted = [...doses].sort((a, b) => a.seq - b.seq);
  for (const d of sorted) {
    // Each cell: one value (up to 2 lines), or Japanese over English (each up to 2 lines, shrinking first).
    const cells = cols.map((c) => {
      const width = c.width * scale - 6;
      const [first, second] = c.cell(d);
      const single = second === undefined || second === '' || second === first;
      const top = {
        text: first,
        style: { size: single ? 8.5 : 8, color: INK },
        box: { width, maxLines: 3, minSize: single ? 5.5 : 5, prefer: 'shrink' as const, field: c.field },
      };
      const bottom = single
        ? undefined
        : {
            text: second,
            style: { size: 7, color: INK },
            box: { width, maxLines: 2, minSize: 4.5, prefer: 'shrink' as const, field: c.field },
          };
      const topHeight = measureBox(top.text, top.style, top.box);
      const height =
        topHeight + (bottom === undefined ? 0 : 1 + measureBox(bottom.text, bottom.style, bottom.box));
      return { c, top, bottom, topHeight, height };
    });
    const rowHeight = Math.max(MIN_ROW_HEIGHT, Math.max(...cells.map((cell) => cell.height)) + 4.5);
    x = MARGIN;
    for (const cell of cells) {
      setText(doc, cell.top.text, x + 3, cy + 2.5, cell.top.style, cell.top.box);
      if (cell.bottom !== undefined) {
        setText(doc, cell.bottom.text, x + 3, cy + 3 + cell.topHeight, cell.bottom.style, cell.bottom.box);
      }
      x += cell.c.width * scale;
    }
    cy += rowHeight;
    doc
      .save()
      .moveTo(MARGIN, cy)
      .lineTo(MARGIN + contentWidth(doc), cy)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke()
      .restore();
  }
  return cy;
}

/** The attestation and the issuer lines (mayor of the municipality, then the minister). Returns the y below. */
export function drawIssuer(doc: Doc, answer: IssuedBody, y: number): number {
  const w = contentWidth(doc);
  let cy = y;
  setText(doc, ATTESTATION.ja, MARGIN, cy, { size: 9, color: INK }, { width: w, field: 'attestation' });
  setText(
    doc,
    ATTESTATION.en,
    MARGIN,
    cy + 13,
    { size: 7.5, color: INK },
    { width: w, minSize: 6, field: 'attestation' },
  );
  cy += 32;
  const x = MARGIN + w * 0.42;
  const iw = w * 0.58;
  setText(
    doc,
    `${answer.issuer.ja}\u3000${MINISTER.ja}`,
    x,
    cy,
    { size: 11, weight: 700, color: INK },
    { width: iw, minSize: 7, field: 'issuer.ja' },
  );
  setText(
    doc,
    answer.issuer.en,
    x,
    cy + 17,
    { size: 8, color: INK },
    { width: iw, minSize: 5.5, field: 'issuer.en' },
  );
  setText(
    doc,
    MINISTER.en,
    x,
    cy + 28,
    { size: 8, color: INK },
    { width: iw, minSize: 5.5, field: 'issuer.en' },
  );
  return cy + 42;
}

/** Guards the fixed bottom band (QR codes) against content running into it (too much text in the fields). */
export function requireAbove(y: number, limit: number): void {
  if (y > limit)
    throw new CertificateError('CERT_INPUT_INVALID', 'certificate content does not fit the page');
}
