/**
 * My Number card data (券面事項入力補助AP, docs/reference.md §3.4): TLV encoding and parsing of EF 00 01 (My Number),
 * 00 02 (基本4情報) and 00 03 (signature block), and `verifyCardData`, which VRS uses to refuse data that the
 * card issuer did not write.
 *
 * Trust: the card issuer's RSA-2048 key signs, in EF 00 03, the SHA-256 digests of EF 00 01's and EF 00 02's
 * TLVs; the verifier takes the issuer's X.509 certificate (vrs-sim/kenhojo-issuer.ts). Pure code: runs in Node,
 * the browser and Electron (the RSA operations are passed in).
 */
export {
  CARD_TAGS,
  encodeBasic4Ef,
  encodeMyNumberEf,
  ISSUER_SIGNATURE_LENGTH,
  parseBasic4Ef,
  parseMyNumberEf,
  parseSignatureEf,
  type Basic4,
  type CardFileResult,
} from './card-data/files.js';
export {
  createCardFiles,
  verifyCardData,
  type CardFiles,
  type KenhojoIssuerSigner,
  type KenhojoIssuerVerifier,
  type VerifiedCardData,
} from './card-data/sign.js';
export { encodeTlv, readTlv, readTlvHeader, readTlvList, type Tlv, type TlvHeader } from './card-data/tlv.js';
export { sha256 } from './card-data/sha256.js';
