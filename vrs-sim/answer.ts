import type { CertAnswerBody } from '../protocol/index.js';
import { MUNICIPALITIES, findMunicipality, findPrefecture } from './municipalities.js';
import { PRODUCTS } from './products.js';
import type { ResidentRecord } from './record.js';

/*
 * What VRS answers, built from a record: the issued body, the municipality list, the basic-4 check.
 */

const NATIONALITY: Record<string, string> = { JPN: '日本 / JAPAN' };
const norm = (s: string) => s.normalize('NFKC').replace(/\s+/gu, ' ').trim();
const isoBirth = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
const jstDate = (t: Date) => new Date(t.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);

/** Which basic-4 fields differ (names only, for the operator; never the values). */
export function basic4Mismatch(
  card: { name: string; address: string; birthDate: string; sex: string },
  record: ResidentRecord,
): string[] {
  const out: string[] = [];
  if (norm(card.name) !== norm(record.name)) out.push('name');
  if (norm(card.address) !== norm(record.address)) out.push('address');
  if (card.birthDate !== record.birthDate) out.push('birthDate');
  if (card.sex !== record.sex) out.push('sex');
  return out;
}

/** The answer body of an issued certificate, as the kiosk prints it. */
export function issuedBody(
  record: ResidentRecord,
  municipality: string,
  certType: 'domestic' | 'overseas',
  cert: { certificateId: string; shc: string; vdsNc?: object },
  now: Date,
): CertAnswerBody {
  const m = findMunicipality(municipality);
  if (m === undefined) throw new TypeError('municipality: unknown');
  const pref = findPrefecture(m.prefecture);
  const person: Extract<CertAnswerBody, { outcome: 'issued' }>['person'] = {
    name: record.name,
    birthDate: isoBirth(record.birthDate),
  };
  if (certType === 'overseas' && record.passport !== undefined) {
    person.nameRomaji = record.nameRomaji;
    person.passportNumber = record.passport.number;
    person.nationality = NATIONALITY[record.passport.nationality] ?? record.passport.nationality;
  }
  return {
    outcome: 'issued',
    certificateId: cert.certificateId,
    issuedAt: jstDate(now),
    certType,
    municipality: { code: m.code, name: m.name, nameEn: m.nameEn, prefecture: pref?.name ?? m.prefecture },
    issuer: { ja: `${pref?.name ?? ''}${m.name}長`, en: `Mayor of ${m.nameEn}` },
    person,
    doses: record.doses.map((d) => {
      const p = PRODUCTS[d.product];
      return {
        seq: d.seq,
        date: d.date,
        vaccineType: p.kind,
        manufacturer: p.manufacturer,
        manufacturerEn: p.manufacturerEn,
        product: p.name,
        productEn: p.nameEn,
        lot: d.lot,
        cvx: p.cvx,
        country: 'JPN',
      };
    }),
    shc: cert.shc,
    ...(cert.vdsNc !== undefined ? { vdsNc: cert.vdsNc as Record<string, unknown> } : {}),
  };
}

/** The codes of the municipalities served, as the protocol lists them (without those no longer served, e.g. shredded). */
export function municipalityList(served: (code: string) => boolean = () => true) {
  return MUNICIPALITIES.filter((m) => served(m.code)).map((m) => m.code);
}
