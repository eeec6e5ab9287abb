import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { createCardFiles, type CardFiles } from '../../../protocol/card-data.js';

/** A fictional test resident's card contents. */
export const TEST_HOLDER = {
  myNumber: '990000000019',
  name: '試験 太郎',
  address: '東京都千代田区試験町一丁目2番3号',
  birthDate: '19800401',
  sex: '1',
} as const;

let key: KeyObject | undefined;
const issuerKey = (): KeyObject => (key ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);

/** Verifies a signature of the test issuer (`testCardFiles`), as VRS verifies the real issuer's. */
export function testCardIssuerVerify(data: Uint8Array, signature: Uint8Array): boolean {
  return verify('sha256', data, createPublicKey(issuerKey()), signature);
}

/**
 * 券面事項入力補助AP files for the card emulator's unit tests, signed by a throwaway RSA-2048 issuer key (made
 * once per process): real signatures, for tests that exercise the card's file system rather than the trust.
 */
export function testCardFiles(holder: typeof TEST_HOLDER = TEST_HOLDER): CardFiles {
  const k = issuerKey();
  return createCardFiles(holder, {
    signer: { sign: (d) => new Uint8Array(sign('sha256', d, k)) },
    certificateEf: Uint8Array.of(0x7f, 0x21, 0x00),
  });
}
