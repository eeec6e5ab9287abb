export { CardSession, type CardReaderPort, type MyNumberCardData } from './session.js';
export { readCard, type ReadCardResult } from './read-card.js';
export {
  selectKenhojoAp,
  readPinRetryCounter,
  verifyPin,
  readTlvEf,
  type ApduExchange,
  type ApResult,
  type MyNumberFailureCode,
  type VerifyResult,
} from './ap.js';
export { KENHOJO_AID, EF as KENHOJO_EF, isLockedSw } from './apdu.js';
export { JpkiSession, selectJpkiAp, computeSignature, readJpkiPinCounter, type JpkiProof } from './jpki.js';
