/**
 * The VRS stand-in (ワクチン接種記録システム): per-municipality encrypted records, certificate signing
 * (SMART Health Cards, ICAO VDS-NC), the public key directory, and the LGWAN-side endpoint.
 * See README.md.
 */
export { startVrs, type RunningVrs, type VrsInfo, type VrsOptions } from './start.js';
export { runCli, CliError, USAGE, type CliIo } from './cli.js';
export { VrsService, parseRole, roleName, type Role, type RoleView } from './service.js';
export {
  MUNICIPALITIES,
  PREFECTURES,
  findMunicipality,
  findPrefecture,
  type Municipality,
  type Prefecture,
} from './municipalities.js';
export { PRODUCTS, PRODUCT_IDS, type ProductId, type VaccineProduct } from './products.js';
export {
  ResidentRecordSchema,
  DoseSchema,
  PassportSchema,
  type ResidentRecord,
  type Dose,
  type Passport,
} from './record.js';
export { ResidentGenerator } from './seed/generate.js';
export { seedStore, type SeedOptions, type SeedReport } from './seed/seed.js';
export {
  loadFixtures,
  fixtureRecord,
  hasNoRecords,
  DEFAULT_FIXTURES_PATH,
  type FixtureResident,
} from './seed/fixtures.js';
export { KeyStore, type MunicipalityKeys } from './storage/keystore.js';
export { ResidentStore, type FindResult, type MunicipalityCounts } from './storage/store.js';
export { CertificateIssuer, type IssuedCertificate, type Crl } from './certs/issuer.js';
export { SigningKeys } from './certs/signing-keys.js';
export { SHC_MAX_JWS_CHARS, SHC_QR_LEVEL, JAPAN_PERFORMER } from './certs/shc.js';
export { AlertCenter, ResidentSpread, type Alert, type AlertKind } from './alerts.js';
export { connectTestRelay, type TestRelayClient } from './testing/relay-client.js';
