import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

/**
 * RSA-2048 key generation for the stand-in (CA keys and the cards' 利用者証明用 keys). It is slow (tens to
 * hundreds of ms a key, more on a busy machine), so keys made in one process are cached by label for that
 * process: a test run that starts many throwaway state folders makes each card's key once. Keys are fictional
 * test material and never leave the simulator's state folder.
 */
const pool = new Map<string, Promise<{ publicKey: KeyObject; privateKey: KeyObject }>>();

export function rsaKeyFor(label: string): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  let p = pool.get(label);
  if (p === undefined) {
    p = generate('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    pool.set(label, p);
  }
  return p;
}
