/**
 * My Number card data (券面事項入力補助AP, docs/reference.md §3.4): TLV encoding and parsing of EF 00 01 (My Number),
 * 00 02 (基本4情報), 00 03 (signature block) and 00 04 (the simulated card certificate), and
 * `verifyCardData`, which VRS uses to refuse data that does not come from a card signed under the card CA.
 *
 * Trust chain (the simulator's documented choice, see hardware-sim/README.md "Card reader"):
 * card CA (Ed25519) → signs EF 00 04 (card-signing public key) → the card key signs EF 00 03
 * (SHA-256 of EF 00 01's TLV and of EF 00 02's TLV). Pure code: runs in Node, the browser and Electron.
 */
export {
  CARD_TAGS,
  encodeBasic4Ef,
  encodeMyNumberEf,
  parseBasic4Ef,
  parseCertificateEf,
  parseMyNumberEf,
  parseSignatureEf,
  type Basic4,
  type CardFileResult,
} from './card-data/files.js';
export {
  createCardCertificate,
  createCardFiles,
  verifyCardData,
  type CardFiles,
  type VerifiedCardData,
} from './card-data/sign.js';
export { encodeTlv, readTlv, readTlvHeader, readTlvList, type Tlv, type TlvHeader } from './card-data/tlv.js';
export { sha256 } from './card-data/sha256.js';
