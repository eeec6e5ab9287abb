import { randomBytes, sign } from 'node:crypto';
import { join } from 'node:path';
import type { Db } from '../../common/db.js';
import { Jlis, type JpkiCardMaterial } from '../../jlis-sim/jlis.js';
import { jpkiChallenge } from '../../protocol/card-data/jpki.js';
import { toBase64Url, type JpkiAuth } from '../../protocol/index.js';
import { JpkiAuthenticator } from '../jpki/authenticator.js';
import { CrlValidity } from '../jpki/crl.js';
import { jlisFeed } from '../jpki/jlis-feed.js';
import { SerialLinks } from '../jpki/links.js';
import { UsedNonces } from '../jpki/nonces.js';
import { loadFixtures } from '../seed/fixtures.js';

/**
 * JPKI authentication for VRS tests: a J-LIS stand-in in `dir/jlis` and an authenticator reading its feed, on
 * the clock `now` (fake clocks for the freshness window and the CRL refresh).
 */
export async function createTestJpki(options: {
  db: Db;
  dir: string;
  now: () => number;
  cardApMunicipalities?: string[];
}) {
  const jlis = await Jlis.open(join(options.dir, 'jlis'));
  const feed = jlisFeed(jlis.stateDir, loadFixtures());
  const validity = new CrlValidity({
    caCertificate: feed.caCertificate,
    load: feed.loadCrl,
    now: options.now,
  });
  const links = new SerialLinks({ load: feed.loadLinks, now: options.now });
  const authenticator = new JpkiAuthenticator({
    caCertificate: feed.caCertificate,
    validity,
    links,
    nonces: await UsedNonces.open(options.db),
    cardApMunicipalities: options.cardApMunicipalities ?? [],
  });
  return { jlis, authenticator, validity, links };
}

/**
 * What the card answers at a kiosk: `card`'s signature (its 利用者証明用 key, as `80 2A 00 80` computes it) over
 * the challenge for `kioskId`, with a fresh nonce unless one is given.
 */
export function cardProof(
  card: JpkiCardMaterial,
  kioskId: string,
  signedAt: number,
  options: { nonce?: Uint8Array; certificate?: Uint8Array } = {},
): JpkiAuth {
  const nonce = options.nonce ?? new Uint8Array(randomBytes(32));
  const signature = sign('sha256', jpkiChallenge({ kioskId, nonce, signedAt }), card.privateKey);
  return {
    certificate: toBase64Url(options.certificate ?? card.certificate),
    signature: toBase64Url(new Uint8Array(signature)),
    kioskId,
    nonce: toBase64Url(nonce),
    signedAt,
  };
}
