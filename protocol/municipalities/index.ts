/** Japan's municipalities and prefectures, with readings, English names and the kana index. Runs anywhere. */
export {
  MUNICIPALITIES,
  PREFECTURES,
  findMunicipality,
  findPrefecture,
  municipalitiesOf,
  municipalityCheckDigit,
  municipalityIndex,
  municipalityLabel,
  type MunicipalityInfo,
  type MunicipalityKind,
  type PrefectureInfo,
} from './data.js';
export { KANA_ROWS, kanaRow, type KanaRow } from './kana.js';
export { REGIONS, regionOf, type Region } from './regions.js';
export { romanizeReading } from './romanize.js';
