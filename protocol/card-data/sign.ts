import nacl from 'tweetnacl';
import { tweetnaclCrypto, type CryptoProvider } from '../crypto.js';
import {
  certificateBody,
  encodeBasic4Ef,
  encodeCertificateEf,
  encodeMyNumberEf,
  encodeSignatureEf,
  parseBasic4Ef,
  parseCertificateEf,
  parseMyNumberEf,
  parseSignatureEf,
  type Basic4,
} from './files.js';
import { sha256 } from './sha256.js';
import { concatBytes } from './tlv.js';

/** Domain separation: what the card CA signs (certificate body) and what a card key signs (the two digests). */
const CERT_CONTEXT = new TextEncoder().encode('MYNA-SIM card certificate v1\0');
const DATA_CONTEXT = new TextEncoder().encode('MYNA-SIM card data v1\0');

function requireBytes(value: unknown, length: number | undefined, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: a Uint8Array is required`);
  if (length !== undefined && value.length !== length)
    throw new TypeError(`${name}: ${length} bytes are required, got ${value.length}`);
  return value;
}

/**
 * The card CA signs a card-signing public key: returns EF 00 04.
 *
 * @example
 * const ca = nacl.sign.keyPair(); const card = nacl.sign.keyPair();
 * const certificateEf = createCardCertificate({ caSecretKey: ca.secretKey, cardPublicKey: card.publicKey, keyId });
 */
export function createCardCertificate(args: {
  caSecretKey: Uint8Array;
  cardPublicKey: Uint8Array;
  keyId: Uint8Array;
}): Uint8Array {
  const caSecretKey = requireBytes(args?.caSecretKey, nacl.sign.secretKeyLength, 'caSecretKey');
  const cardPublicKey = requireBytes(args.cardPublicKey, nacl.sign.publicKeyLength, 'cardPublicKey');
  const keyId = requireBytes(args.keyId, 8, 'keyId');
  const body = certificateBody(keyId, cardPublicKey);
  const sig = nacl.sign.detached(concatBytes(CERT_CONTEXT, body), caSecretKey);
  return encodeCertificateEf(keyId, cardPublicKey, sig);
}

export interface CardFiles {
  /** EF 00 01 */
  myNumberEf: Uint8Array;
  /** EF 00 02 */
  basic4Ef: Uint8Array;
  /** EF 00 03 */
  signatureEf: Uint8Array;
  /** EF 00 04 */
  certificateEf: Uint8Array;
}

/**
 * Personalises a card: encodes EF 00 01 and 00 02 and signs their SHA-256 digests with the card key
 * (EF 00 03). `certificateEf` must certify `cardSecretKey`'s public half.
 */
export function createCardFiles(
  data: Basic4 & { myNumber: string },
  keys: { cardSecretKey: Uint8Array; certificateEf: Uint8Array },
): CardFiles {
  const cardSecretKey = requireBytes(keys?.cardSecretKey, nacl.sign.secretKeyLength, 'cardSecretKey');
  const certificateEf = requireBytes(keys.certificateEf, undefined, 'certificateEf');
  const myNumberEf = encodeMyNumberEf(data?.myNumber);
  const basic4Ef = encodeBasic4Ef(data);
  const placeholder = encodeSignatureEf(sha256(myNumberEf), sha256(basic4Ef), new Uint8Array(64));
  const parsed = parseSignatureEf(placeholder);
  if (!parsed.ok) throw new Error('internal: signature EF did not parse');
  const sig = nacl.sign.detached(concatBytes(DATA_CONTEXT, parsed.signed), cardSecretKey);
  return {
    myNumberEf,
    basic4Ef,
    signatureEf: encodeSignatureEf(sha256(myNumberEf), sha256(basic4Ef), sig),
    certificateEf,
  };
}

export type VerifiedCardData =
  ({ ok: true; myNumber: string } & Basic4) | { ok: false; code: 'CARD_DATA_INVALID' | 'CARD_FORGED' };

/**
 * Checks that card data comes from a genuine card: the certificate (EF 00 04) is signed by the card CA,
 * EF 00 03's digests match EF 00 01 and 00 02, and the card key signed those digests.
 * Malformed files (or an invalid My Number check digit) → `CARD_DATA_INVALID`; any signature or digest
 * mismatch → `CARD_FORGED`. Throws `TypeError` on wrong argument types (a bad caller).
 *
 * @example
 * const r = verifyCardData({ myNumberEf, basic4Ef, signatureEf, certificateEf, caPublicKey });
 * if (!r.ok) refuse(r.code); else use(r.myNumber, r.name);
 */
export function verifyCardData(args: {
  myNumberEf: Uint8Array;
  basic4Ef: Uint8Array;
  signatureEf: Uint8Array;
  certificateEf: Uint8Array;
  caPublicKey: Uint8Array;
  /** Ed25519 verification; tweetnacl by default (servers pass `nodeCrypto`, much faster). */
  crypto?: Pick<CryptoProvider, 'ed25519Verify'>;
}): VerifiedCardData {
  const myNumberEf = requireBytes(args?.myNumberEf, undefined, 'myNumberEf');
  const basic4Ef = requireBytes(args.basic4Ef, undefined, 'basic4Ef');
  const signatureEf = requireBytes(args.signatureEf, undefined, 'signatureEf');
  const certificateEf = requireBytes(args.certificateEf, undefined, 'certificateEf');
  const caPublicKey = requireBytes(args.caPublicKey, nacl.sign.publicKeyLength, 'caPublicKey');

  const mn = parseMyNumberEf(myNumberEf);
  const b4 = parseBasic4Ef(basic4Ef);
  const sig = parseSignatureEf(signatureEf);
  const cert = parseCertificateEf(certificateEf);
  if (!mn.ok || !b4.ok || !sig.ok || !cert.ok) return { ok: false, code: 'CARD_DATA_INVALID' };

  const forged = { ok: false, code: 'CARD_FORGED' } as const;
  const crypto = args.crypto ?? tweetnaclCrypto;
  if (!crypto.ed25519Verify(caPublicKey, concatBytes(CERT_CONTEXT, cert.body), cert.caSignature))
    return forged;
  if (!nacl.verify(sha256(mn.tlv), sig.myNumberDigest)) return forged;
  if (!nacl.verify(sha256(b4.tlv), sig.basic4Digest)) return forged;
  if (!crypto.ed25519Verify(cert.publicKey, concatBytes(DATA_CONTEXT, sig.signed), sig.signature))
    return forged;
  return {
    ok: true,
    myNumber: mn.myNumber,
    name: b4.name,
    address: b4.address,
    birthDate: b4.birthDate,
    sex: b4.sex,
  };
}
