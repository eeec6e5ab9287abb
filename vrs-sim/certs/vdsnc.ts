import { sign } from 'node:crypto';
import { PRODUCTS, type ProductId } from '../products.js';
import type { ResidentRecord } from '../record.js';
import { canonicalJson } from './jwk.js';
import type { VdsNcSigner } from './pki.js';

/** Who administered the vaccinations (VDS-NC `adm`, ≤ 20 characters); docs/reference.md §2.3 leaves Japan's value open. */
export const VDS_NC_ADMINISTRATOR = 'MHLW_Gov_of_Japan';

const isoBirth = (yyyymmdd: string) =>
  `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
const ICAO_SEX: Record<ResidentRecord['sex'], string | undefined> = { '1': 'M', '2': 'F', '9': undefined };

/** A signed ICAO VDS-NC proof of vaccination. */
export interface VdsNc {
  data: {
    hdr: { t: 'icao.vacc'; v: 1; is: 'JPN' };
    msg: {
      uvci: string;
      pid: { n: string; dob: string; i: string; sex?: string; nat: string };
      ve: {
        des: string;
        nam: string;
        dis: string;
        vd: { dvc: string; seq: number; ctr: string; adm: string; lot: string }[];
      }[];
    };
  };
  sig: { alg: 'ES256'; cer: string; sigvl: string };
}

/**
 * The overseas certificate's VDS-NC (docs/reference.md §2.3): `pid` carries the romaji name, birth date, passport
 * number and — as this stand-in's extension, the ICAO example has no such member — the nationality as
 * `nat` (ISO 3166-1 alpha-3). Vaccinations are grouped per product. The signature is ES256 (r‖s) over the
 * canonical JSON (sorted keys, no whitespace) of `data`; `cer` is the signer certificate, base64url DER.
 * Throws when the record has no passport (the caller refuses first with VRS_NO_PASSPORT).
 */
export function signVdsNc(record: ResidentRecord, uvci: string, signer: VdsNcSigner): VdsNc {
  const passport = record.passport;
  if (passport === undefined) throw new TypeError('record: a registered passport is required');
  const groups = new Map<ProductId, VdsNc['data']['msg']['ve'][number]>();
  for (const d of record.doses) {
    const p = PRODUCTS[d.product];
    let g = groups.get(d.product);
    if (g === undefined) {
      g = { des: p.icd11, nam: p.nameEn, dis: 'RA01.0', vd: [] };
      groups.set(d.product, g);
    }
    g.vd.push({ dvc: d.date, seq: d.seq, ctr: 'JPN', adm: VDS_NC_ADMINISTRATOR, lot: d.lot });
  }
  const pid: VdsNc['data']['msg']['pid'] = {
    n: record.nameRomaji,
    dob: isoBirth(record.birthDate),
    i: passport.number,
    nat: passport.nationality,
  };
  const sex = ICAO_SEX[record.sex];
  if (sex !== undefined) pid.sex = sex;
  const data: VdsNc['data'] = {
    hdr: { t: 'icao.vacc', v: 1, is: 'JPN' },
    msg: { uvci, pid, ve: [...groups.values()] },
  };
  const sigvl = sign('sha256', Buffer.from(canonicalJson(data)), {
    key: signer.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return {
    data,
    sig: {
      alg: 'ES256',
      cer: Buffer.from(signer.signerDer).toString('base64url'),
      sigvl: sigvl.toString('base64url'),
    },
  };
}
