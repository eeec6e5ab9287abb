import {
  encodeBasic4Ef,
  encodeMyNumberEf,
  encodeSignatureEf,
  ISSUER_SIGNATURE_LENGTH,
  parseBasic4Ef,
  parseMyNumberEf,
  parseSignatureEf,
  signedPart,
  type Basic4,
} from './files.js';
import { sha256 } from './sha256.js';

function requireBytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: a Uint8Array is required`);
  return value;
}

export interface CardFiles {
  /** EF 00 01 */
  myNumberEf: Uint8Array;
  /** EF 00 02 */
  basic4Ef: Uint8Array;
  /** EF 00 03 */
  signatureEf: Uint8Array;
  /** EF 00 04: the card's certificate as the issuer wrote it (not used to verify EF 00 03). */
  certificateEf: Uint8Array;
}

/**
 * The card issuer's signing side: RSASSA-PKCS1-v1_5 with SHA-256 under its RSA-2048 key (256-byte answers).
 * Node code (the J-LIS stand-in) provides it: protocol/ holds no RSA implementation.
 */
export interface KenhojoIssuerSigner {
  sign(data: Uint8Array): Uint8Array;
}

/**
 * The card issuer's verifying side: true when `signature` is its RSASSA-PKCS1-v1_5 SHA-256 signature over
 * `data`. VRS builds it from the issuer's X.509 certificate (`vrs-sim/kenhojo-issuer.ts`).
 */
export interface KenhojoIssuerVerifier {
  verify(data: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * Personalises a card's 券面事項入力補助AP: encodes EF 00 01 and 00 02, and EF 00 03 with their SHA-256
 * digests signed by the issuer (docs/reference.md §3.4). `certificateEf` is written as EF 00 04 unchanged.
 *
 * @example
 * const files = createCardFiles(resident, { signer: { sign: (d) => jlis.signKenhojo(d) }, certificateEf });
 */
export function createCardFiles(
  data: Basic4 & { myNumber: string },
  issuer: { signer: KenhojoIssuerSigner; certificateEf: Uint8Array },
): CardFiles {
  if (typeof issuer?.signer?.sign !== 'function') throw new TypeError('issuer.signer: a signer is required');
  const certificateEf = requireBytes(issuer.certificateEf, 'certificateEf');
  const myNumberEf = encodeMyNumberEf(data?.myNumber);
  const basic4Ef = encodeBasic4Ef(data);
  const myNumberDigest = sha256(myNumberEf);
  const basic4Digest = sha256(basic4Ef);
  const signature = issuer.signer.sign(signedPart(myNumberDigest, basic4Digest));
  if (!(signature instanceof Uint8Array) || signature.length !== ISSUER_SIGNATURE_LENGTH)
    throw new TypeError(`issuer.signer: a ${ISSUER_SIGNATURE_LENGTH}-byte RSA-2048 signature is required`);
  return {
    myNumberEf,
    basic4Ef,
    signatureEf: encodeSignatureEf(myNumberDigest, basic4Digest, signature),
    certificateEf,
  };
}

export type VerifiedCardData =
  ({ ok: true; myNumber: string } & Basic4) | { ok: false; code: 'CARD_DATA_INVALID' | 'CARD_FORGED' };

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
};

/**
 * Checks that card data is what the card issuer wrote: EF 00 03's digests match EF 00 01 and 00 02, and the
 * issuer signed those digests (`issuer.verify`, built from the issuer's certificate). Malformed files (or an
 * invalid My Number check digit) → `CARD_DATA_INVALID`; a digest or signature mismatch → `CARD_FORGED`.
 * Throws `TypeError` on wrong argument types (a bad caller).
 *
 * @example
 * const r = verifyCardData({ myNumberEf, basic4Ef, signatureEf, issuer });
 * if (!r.ok) refuse(r.code); else use(r.myNumber, r.name);
 */
export function verifyCardData(args: {
  myNumberEf: Uint8Array;
  basic4Ef: Uint8Array;
  signatureEf: Uint8Array;
  issuer: KenhojoIssuerVerifier;
}): VerifiedCardData {
  const myNumberEf = requireBytes(args?.myNumberEf, 'myNumberEf');
  const basic4Ef = requireBytes(args.basic4Ef, 'basic4Ef');
  const signatureEf = requireBytes(args.signatureEf, 'signatureEf');
  if (typeof args.issuer?.verify !== 'function') throw new TypeError('issuer: a verifier is required');

  const mn = parseMyNumberEf(myNumberEf);
  const b4 = parseBasic4Ef(basic4Ef);
  const sig = parseSignatureEf(signatureEf);
  if (!mn.ok || !b4.ok || !sig.ok) return { ok: false, code: 'CARD_DATA_INVALID' };

  const forged = { ok: false, code: 'CARD_FORGED' } as const;
  if (!bytesEqual(sha256(mn.tlv), sig.myNumberDigest)) return forged;
  if (!bytesEqual(sha256(b4.tlv), sig.basic4Digest)) return forged;
  if (!args.issuer.verify(sig.signed, sig.signature)) return forged;
  return {
    ok: true,
    myNumber: mn.myNumber,
    name: b4.name,
    address: b4.address,
    birthDate: b4.birthDate,
    sex: b4.sex,
  };
}
