import { concatBytes, requireBytes, u64be, utf8 } from '../bytes.js';
import { sha256 } from './sha256.js';

/**
 * The 公的個人認証AP (JPKI-AP) of the My Number card as public readers of real cards use it (docs/reference.md §3.6,
 * jpki/myna `libmyna/jpki_ap.go`, AokiApp/jsapdu `packages/mynacard`), and the challenge this system has the
 * card sign with its 利用者証明用 key (protocol/PROTOCOL.md, "JPKI authentication").
 */

/** `D3 92 F0 00 26 01 00 00 00 01`. */
export const JPKI_AID = Uint8Array.of(0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01);

/** Elementary files of the JPKI-AP used for 利用者証明 (user authentication). */
export const JPKI_EF = {
  /** 利用者証明用電子証明書 (X.509 DER, RSA-2048, no personal data): free to read. */
  authCertificate: 0x000a,
  /** The certificate of the CA that issued it: free to read. */
  authCaCertificate: 0x000b,
  /** Its private key: usable only through COMPUTE DIGITAL SIGNATURE, never readable. */
  authKey: 0x0017,
  /** 利用者証明用暗証番号: 4 digits, 3 tries, its own counter. */
  authPin: 0x0018,
} as const;

/** The DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017 §9.2 note 1); 32 hash bytes follow. */
export const SHA256_DIGEST_INFO_PREFIX = Uint8Array.of(
  0x30,
  0x31,
  0x30,
  0x0d,
  0x06,
  0x09,
  0x60,
  0x86,
  0x48,
  0x01,
  0x65,
  0x03,
  0x04,
  0x02,
  0x01,
  0x05,
  0x00,
  0x04,
  0x20,
);

/** Length of the challenge nonce the kiosk draws for each transaction. */
export const JPKI_NONCE_BYTES = 32;

const CONTEXT = utf8('JPKI kiosk authentication v1\0');

/**
 * The bytes the card signs for one transaction: a context string, the kiosk id (as the relay authenticates
 * it), a fresh 32-byte nonce and the time of signing (ms since the epoch, 8 bytes big-endian).
 * VRS rebuilds them from the sealed request and the relay's routing and checks the card's signature, the
 * freshness window and that the nonce was never used before (PROTOCOL.md).
 *
 * @example
 * const message = jpkiChallenge({ kioskId, nonce, signedAt: Date.now() });
 * const digestInfo = sha256DigestInfo(message); // what 80 2A 00 80 sends to the card
 */
export function jpkiChallenge(args: { kioskId: string; nonce: Uint8Array; signedAt: number }): Uint8Array {
  if (typeof args?.kioskId !== 'string' || args.kioskId === '' || args.kioskId.includes('\0'))
    throw new TypeError('kioskId: a non-empty string without NUL');
  requireBytes(args.nonce, JPKI_NONCE_BYTES, 'nonce');
  if (!Number.isSafeInteger(args.signedAt) || args.signedAt < 0)
    throw new TypeError('signedAt: milliseconds since the epoch');
  return concatBytes(CONTEXT, utf8(args.kioskId), Uint8Array.of(0), args.nonce, u64be(args.signedAt));
}

/** DigestInfo(SHA-256, SHA-256(message)): 51 bytes, the data of COMPUTE DIGITAL SIGNATURE. */
export function sha256DigestInfo(message: Uint8Array): Uint8Array {
  requireBytes(message, undefined, 'message');
  return concatBytes(SHA256_DIGEST_INFO_PREFIX, sha256(message));
}
